"""The package's layering: import contracts kept, and no import of our own hidden in a function.

The layers themselves are declared once, in pyproject.toml (``[tool.importlinter]``);
``lint-imports`` checks them. An import inside a function hides a dependency from a
reader and can hide an import cycle, so it is kept only where it spares a light
command a heavy third-party library (torch, scikit-learn): the allow-list below.
"""

import ast
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "textpipe"

#: (file, our module imported inside a function) → how many such imports are justified.
JUSTIFIED = {
    # The networks import torch at module level; a stage is listed and built without it.
    ("textpipe/stages/bilstm.py", "textpipe.neural.classifier"): 4,
    ("textpipe/stages/bilstm.py", "textpipe.neural.elmo"): 2,
    ("textpipe/stages/bilstm.py", "textpipe.neural.io"): 1,
    ("textpipe/stages/cnn.py", "textpipe.neural.cnn"): 1,
    ("textpipe/stages/cnn.py", "textpipe.neural.training"): 1,
    ("textpipe/stages/transformer_classifier.py", "textpipe.neural"): 3,
    ("textpipe/stages/neural_classifier.py", "textpipe.neural"): 1,
    ("textpipe/stages/elmo.py", "textpipe.neural.elmo"): 3,
    ("textpipe/stages/elmo.py", "textpipe.neural.io"): 1,
    ("textpipe/stages/transformer.py", "textpipe.neural.elmo"): 2,
    ("textpipe/stages/transformer.py", "textpipe.neural.quantize"): 1,
    ("textpipe/neural/pretrain.py", "textpipe.neural.bilm"): 1,
    ("textpipe/neural/pretrain.py", "textpipe.neural.elmo"): 1,
    ("textpipe/neural/pretrain.py", "textpipe.neural.io"): 2,
    ("textpipe/neural/pretrain.py", "textpipe.neural.training"): 1,
    ("textpipe/stages/bilstm.py", "textpipe.neural.training"): 1,
    ("textpipe/stages/elmo.py", "textpipe.neural.training"): 1,
    # The stages import scikit-learn, which `textpipe --help` need not load.
    ("textpipe/cli/vectors.py", "textpipe.stages.embed"): 1,
    ("textpipe/neural/pretrain.py", "textpipe.stages.tokenize"): 1,
    ("textpipe/compare/tree.py", "textpipe.sklearn_compat"): 1,
    ("textpipe/parameters.py", "textpipe.sklearn_compat"): 2,
}



def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(node: ast.AST, path: Path, root: Path) -> list[str]:
    """The absolute names of the modules an import statement imports."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level == 0:
        return [node.module]
    package = _module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = ".".join(package[:len(package) - node.level + 1])
    if node.module:
        return [f"{base}.{node.module}"]
    return [f"{base}.{alias.name}" for alias in node.names]


def function_level_imports(package: Path = PACKAGE) -> list[tuple[str, str, int]]:
    """Every import of a ``textpipe`` module made inside a function: (file, module, line)."""
    root = package.parent
    found = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        functions = [node for node in ast.walk(tree)
                     if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))]
        inside = {id(node) for function in functions for statement in ast.iter_child_nodes(function)
                  for node in ast.walk(statement)}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) in inside:
                for module in _imported_modules(node, path, root):
                    if module == "textpipe" or module.startswith("textpipe."):
                        found.append((path.relative_to(root).as_posix(), module, node.lineno))
    return found


def test_import_contracts_are_kept():
    proc = subprocess.run(
        [sys.executable, "-c",
         "import sys; from importlinter.cli import lint_imports; "
         "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True))"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_more_imports_of_our_own_modules_inside_functions_than_justified():
    found = function_level_imports()
    allowed = Counter(JUSTIFIED)
    counts = Counter((file, module) for file, module, _ in found)
    excess = sorted(f"{file}:{line}: {module}" for file, module, line in found
                    if counts[file, module] > allowed[file, module])
    assert not excess, ("import these at the top of the module (the layers in pyproject.toml "
                        "say which imports are allowed):\n" + "\n".join(excess))


def test_function_level_imports_are_found_wherever_they_hide(tmp_path):
    package = tmp_path / "textpipe"
    (package / "stages").mkdir(parents=True)
    (package / "stages" / "__init__.py").write_text("")
    (package / "stages" / "x.py").write_text(
        "from ..errors import Errors\n"
        "def f():\n    from ..registry import get_stage\n"
        "    def g():\n        import textpipe.model\n"
        "class C:\n    def m(self):\n        from . import base\n        import numpy\n")
    found = sorted((module, line) for _, module, line in function_level_imports(package))
    assert found == [("textpipe.model", 5), ("textpipe.registry", 3), ("textpipe.stages.base", 8)]
