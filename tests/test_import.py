import json
import subprocess
import sys

CODE = """
import json, sys, time
start = time.perf_counter()
import textpipe
elapsed = time.perf_counter() - start
heavy = [m for m in ("torch", "spacy", "gensim", "sklearn", "nltk") if m in sys.modules]
print(json.dumps({"elapsed": elapsed, "heavy": heavy}))
"""


def test_import_textpipe_loads_no_heavy_library_and_is_fast():
    proc = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                          check=True, timeout=60)
    result = json.loads(proc.stdout)
    assert result["heavy"] == []
    assert result["elapsed"] < 0.5


def test_public_names_load_lazily():
    import textpipe

    assert callable(textpipe.load_pipeline) and callable(textpipe.load_dataset)
    assert "load_pipeline" in dir(textpipe)
