import numpy as np
import pytest

from textpipe.cli import main
from textpipe.embeddings import load_vectors
from textpipe.model import load_model

PIPELINE = """\
data: {path: toy.txt}
evaluation: {method: cv, folds: 2}
steps:
  - tokenize: {}
  - word2vec: {dim: 8, min_count: 1, epochs: 3}
  - logreg: {}
"""


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("vectors")
    lines = [f"pos a fine warm film {i}" for i in range(8)] + [
        f"neg a dull cold film {i}" for i in range(8)]
    (root / "toy.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "p.yaml").write_text(PIPELINE, encoding="utf-8")
    assert main(["run", str(root / "p.yaml"), "--save", str(root / "model"), "-q"]) == 0
    return root / "model"


def test_neighbors_lists_words_with_cosines(model_dir, capsys):
    assert main(["vectors", "neighbors", str(model_dir), "fine", "-n", "3"]) == 0
    out = capsys.readouterr().out
    assert "nearest to 'fine'" in out and out.count("0.") >= 3


def test_analogy_runs_on_a_model(model_dir, capsys):
    assert main(["vectors", "analogy", str(model_dir), "fine", "warm", "dull"]) == 0
    assert "fine : warm :: dull : ?" in capsys.readouterr().out


def test_unknown_word_is_a_usage_error(model_dir, capsys):
    assert main(["vectors", "neighbors", str(model_dir), "zzzz"]) == 2
    assert "zzzz" in capsys.readouterr().err


def test_export_writes_vectors_that_load_back_equal(model_dir, tmp_path):
    out = tmp_path / "vectors.txt"
    assert main(["vectors", "export", str(model_dir), str(out)]) == 0
    stage = load_model(model_dir).pipeline.named_steps["word2vec"]
    kv = load_vectors(out, cache_dir=False)
    assert kv.index_to_key == list(stage.vocabulary_)
    np.testing.assert_allclose(kv.vectors, stage.vectors_, rtol=1e-5, atol=1e-6)


def test_neighbors_from_a_vector_file(tmp_path, capsys):
    path = tmp_path / "v.txt"
    path.write_text("good 1 0\nfine 0.9 0.1\nbad 0 1\n", encoding="utf-8")
    assert main(["vectors", "neighbors", str(path), "good", "-n", "1"]) == 0
    assert "fine" in capsys.readouterr().out
