import pytest

from textpipe.config import parse_yaml, read_yaml
from textpipe.errors import ConfigError


def test_line_map_points_at_nested_parameter():
    text = "name: x\nsteps:\n  - tokenize: {}\n  - stem:\n      algorithm: porter\n"
    data, lines = parse_yaml(text)
    assert data["steps"][1] == {"stem": {"algorithm": "porter"}}
    assert lines.line_of(("steps", 1, "stem", "algorithm")) == 5
    assert lines.line_of(("steps", 0)) == 3


def test_line_map_falls_back_to_nearest_ancestor():
    _, lines = parse_yaml("steps:\n  - stem: {}\n")
    assert lines.line_of(("steps", 0, "stem", "missing_param")) == 2


def test_invalid_yaml_names_file_and_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("steps:\n  - tokenize: {\n  - stem\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        read_yaml(path)
    assert str(path) in str(info.value)
    assert info.value.line is not None


def test_yaml_cannot_construct_python_objects():
    with pytest.raises(ConfigError, match="not valid YAML"):
        parse_yaml("steps: !!python/object/apply:os.system ['echo hi']\n")


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        read_yaml(tmp_path / "nope.yaml")


# -- strict, bounded reading ---------------------------------------------------------------

def alias_bomb() -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    return "\n".join(lines) + "\n"


def refusal(text, file="p.yaml") -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_yaml(text, file=file)
    return info.value


def test_an_alias_bomb_is_refused_at_its_first_anchor():
    err = refusal(alias_bomb())
    assert (err.file, err.line) == ("p.yaml", 1)
    assert "found the anchor '&a'" in err.message


@pytest.mark.parametrize("text, found, line", [
    ("defaults: {C: 1}\nsteps:\n  - logreg: *defaults\n", "the alias '*defaults'", 3),
    ("steps:\n  - tokenize\n  - logreg: &p {C: 1}\n", "the anchor '&p'", 3),
    ("steps:\n  - logreg:\n      <<: {C: 1}\n      C: 2\n", "the merge key '<<'", 3),
])
def test_anchors_aliases_and_merge_keys_are_refused_naming_the_line(text, found, line):
    err = refusal(text)
    assert err.line == line
    assert f"found {found}" in err.message


@pytest.mark.parametrize("text, line", [
    ("steps: " + "[" * 5000 + "]" * 5000 + "\n", 1),
    ("steps: " + "[" * 40 + "]" * 40 + "\n", 1),
    ("a:\n" + "".join("  " * i + "- \n" for i in range(1, 41)), 33),
])
def test_too_deep_nesting_is_refused_naming_the_line(text, line):
    err = refusal(text)
    assert err.line == line
    assert "nested more than 32 levels" in err.message


def test_nesting_up_to_the_limit_is_read():
    data, _ = parse_yaml("a: " + "[" * 31 + "1" + "]" * 31)
    depth = 0
    while isinstance(data, (dict, list)):
        data, depth = (data["a"] if isinstance(data, dict) else data[0]), depth + 1
    assert (data, depth) == (1, 32)


@pytest.mark.parametrize("text, key, first, second", [
    ("steps:\n  - logreg: {C: 1, C: 100}\n", "C", 2, 2),
    ("name: a\nsteps: [tokenize]\nname: b\n", "name", 1, 3),
    ("steps:\n  - stem:\n      algorithm: porter\n      algorithm: snowball\n", "algorithm", 3, 4),
    ("{1: a, 0x1: b}", "0x1", 1, 1),  # the same key once read
])
def test_duplicate_keys_are_refused_naming_both_lines(text, key, first, second):
    err = refusal(text)
    assert err.line == second
    assert f"duplicate key '{key}': it is also given on line {first}" in err.message


def test_the_same_key_in_different_mappings_is_fine():
    data, _ = parse_yaml("steps:\n  - logreg: {C: 1}\n  - linear_svm: {C: 2}\n")
    assert data == {"steps": [{"logreg": {"C": 1}}, {"linear_svm": {"C": 2}}]}


@pytest.mark.parametrize("text", ["d: 2024-13-45\n", "n: !!int ''\n", "b: !!bool maybe\n",
                                  "x: \ud800\n"])
def test_values_yaml_cannot_build_are_config_errors(text):
    assert "not valid YAML" in refusal(text).message


def test_a_file_over_the_size_limit_is_refused_without_reading_it_all(tmp_path, monkeypatch):
    import textpipe.config.yamlio as yamlio

    monkeypatch.setattr(yamlio, "MAX_BYTES", 100)
    path = tmp_path / "big.yaml"
    path.write_text("steps: [" + ", ".join(["tokenize"] * 20) + "]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="larger than 100 bytes") as info:
        read_yaml(path)
    assert info.value.file == str(path)
