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
