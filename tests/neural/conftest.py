"""A tiny biLM, pretrained once per test session, for the neural tests."""

import pytest

pytest.importorskip("torch")

TEXTS = [
    "a fine film with a great cast",
    "a dull film with a weak plot",
    "the cast is great and the plot is fine",
    "the plot is dull and the film is weak",
    "what a great film",
    "what a dull plot",
] * 8

TINY_MODEL = {"char_dim": 4, "filters": [[1, 8], [2, 8], [3, 8]], "highway_layers": 1,
              "projection_dim": 8, "lstm_size": 8, "lstm_layers": 2, "dropout": 0.0}


def tiny_config(output_dir, **training):
    from textpipe.neural.pretrain import PretrainConfig

    return PretrainConfig.model_validate({
        "output_dir": str(output_dir),
        "corpus": {"texts": TEXTS, "min_count": 1, "heldout_fraction": 0.1},
        "model": TINY_MODEL,
        "training": {"epochs": 2, "batch_size": 8, "learning_rate": 0.01, "threads": 1,
                     **training},
    })


@pytest.fixture(scope="session")
def tiny_bilm(tmp_path_factory):
    """Folder of a tiny biLM trained for two epochs on TEXTS."""
    from textpipe.neural.pretrain import pretrain

    folder = tmp_path_factory.mktemp("bilm")
    pretrain(tiny_config(folder))
    return folder


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    """Tiny models run fastest on one thread, and the test machine's cores are shared."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory):
    """Folder of a tiny random BERT (2 layers, width 16) with its tokenizer.json."""
    pytest.importorskip("transformers")
    from tests.support.tiny_transformers import build_tiny_bert

    return build_tiny_bert(tmp_path_factory.mktemp("tiny_bert"))


@pytest.fixture
def no_network():
    """Within the test, any attempt to open a network connection fails (NetworkAccessError)."""
    from tests.support.tiny_transformers import no_network as guard

    with guard():
        yield
