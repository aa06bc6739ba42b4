import json
import subprocess
import sys

CODE = """
import json, sys
import textpipe
heavy = [m for m in ("torch", "spacy", "gensim", "sklearn", "nltk") if m in sys.modules]
print(json.dumps({"heavy": heavy}))
"""


def test_import_textpipe_loads_no_heavy_library():
    # How fast the import is, is measured by bench/bench_import.py, not here.
    proc = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                          check=True, timeout=60)
    assert json.loads(proc.stdout)["heavy"] == []


def test_public_names_load_lazily():
    import textpipe

    assert callable(textpipe.load_pipeline) and callable(textpipe.load_dataset)
    assert "load_pipeline" in dir(textpipe)


def test_cli_help_loads_no_heavy_library():
    code = ("import json, sys\n"
            "from textpipe.cli import main\n"
            "main(['--help'])\n"
            "heavy = ('torch', 'spacy', 'gensim', 'sklearn', 'nltk', 'matplotlib', 'pyarrow',\n"
            "         'distributed', 'safetensors')\n"
            "print(json.dumps([m for m in heavy if m in sys.modules]))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)
    assert json.loads(proc.stdout.splitlines()[-1]) == []
