"""No function in textpipe/ longer than about a screen.

A function's length is its code lines: from the line after its docstring (or its
first statement) to its last line, nested functions included. A longer one is split
into helpers that each do one named thing.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "textpipe"
MAX_LINES = 60

#: (file, qualified name) → its length today, for functions not yet split: it may only shrink.
ALLOWED: dict[tuple[str, str], int] = {}


def code_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines from the first line after the docstring (or the first statement) to the last."""
    first = function.body[0]
    start = first.lineno
    if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        start = first.end_lineno + 1
    return function.end_lineno - start + 1


def function_lengths(package: Path = PACKAGE) -> dict[tuple[str, str], int]:
    """Every function and method of ``package``: (file, qualified name) → code lines."""
    lengths = {}

    def walk(node, file, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = prefix + child.name
                lengths[file, name] = code_lines(child)
                walk(child, file, name + ".<locals>.")
            elif isinstance(child, ast.ClassDef):
                walk(child, file, prefix + child.name + ".")
            else:
                walk(child, file, prefix)

    for path in sorted(package.rglob("*.py")):
        file = path.relative_to(package.parent).as_posix()
        walk(ast.parse(path.read_text(encoding="utf-8")), file, "")
    return lengths


def test_no_function_is_longer_than_the_limit():
    lengths = function_lengths()
    too_long = sorted(f"{file}: {name} has {n} lines of code (at most {MAX_LINES})"
                      for (file, name), n in lengths.items()
                      if n > ALLOWED.get((file, name), MAX_LINES))
    assert not too_long, ("split these by responsibility into helpers:\n"
                          + "\n".join(too_long))


def test_the_allow_list_names_only_functions_still_too_long():
    lengths = function_lengths()
    stale = sorted(f"{file}: {name}" for (file, name) in ALLOWED
                   if lengths.get((file, name), 0) <= MAX_LINES)
    assert not stale, "no longer too long (or gone): remove from ALLOWED:\n" + "\n".join(stale)


def test_lengths_leave_out_the_docstring_and_count_nested_functions(tmp_path):
    package = tmp_path / "textpipe"
    package.mkdir()
    (package / "m.py").write_text(
        "def f(a,\n"
        "      b):\n"
        '    """Doc\n'
        '    string."""\n'
        "    x = 1\n"
        "\n"
        "    def g():\n"
        "        return x\n"
        "    return g\n"
        "\n"
        "\n"
        "class C:\n"
        "    def m(self):\n"
        "        return 1\n")
    assert function_lengths(package) == {("textpipe/m.py", "f"): 5,
                                         ("textpipe/m.py", "f.<locals>.g"): 1,
                                         ("textpipe/m.py", "C.m"): 1}
