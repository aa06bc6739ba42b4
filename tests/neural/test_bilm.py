import pytest
import torch

from textpipe.neural.bilm import BiLM, BiLMConfig, make_batch
from textpipe.neural.io import load_bilm, save_bilm
from textpipe.neural.softmax import WordSoftmax
from textpipe.neural.vocab import Vocabulary

DOC = ["the", "cast", "is", "great", "and", "fine"]


@pytest.fixture
def model_and_vocab():
    torch.manual_seed(0)
    vocab = Vocabulary.build([DOC, ["a", "dull", "plot", "weak"]], min_count=1)
    model = BiLM(BiLMConfig.small(vocab, projection_dim=8, lstm_size=8)).eval()
    return model, vocab


def _directional(model, vocab, docs):
    with torch.no_grad():
        _, layers, _ = model.directional_states(model.batch(docs, vocab))
    forward = [f for f, _ in layers]
    # backward states back in reading order: position k of the sentence
    lengths = torch.tensor([len(d) + 2 for d in docs])
    from textpipe.neural.bilm import reverse_within_lengths

    backward = [reverse_within_lengths(b, lengths) for _, b in layers]
    return forward, backward


@pytest.mark.parametrize("t", [0, 2, 4])
def test_forward_lm_states_up_to_t_ignore_the_token_at_t_plus_1(model_and_vocab, t):
    model, vocab = model_and_vocab
    changed = list(DOC)
    changed[t + 1] = "dull"
    before, _ = _directional(model, vocab, [DOC])
    after, _ = _directional(model, vocab, [changed])
    pos = t + 1  # position of token t after <S>
    for a, b in zip(before, after):
        # equal up to float rounding (other words' char-CNN batches may be shaped differently)
        torch.testing.assert_close(a[0, :pos + 1], b[0, :pos + 1], rtol=0, atol=1e-6)
        assert (a[0, pos + 1] - b[0, pos + 1]).abs().max() > 1e-3  # it does see token t + 1 there


@pytest.mark.parametrize("t", [1, 3, 5])
def test_backward_lm_states_from_t_ignore_the_token_at_t_minus_1(model_and_vocab, t):
    model, vocab = model_and_vocab
    changed = list(DOC)
    changed[t - 1] = "dull"
    _, before = _directional(model, vocab, [DOC])
    _, after = _directional(model, vocab, [changed])
    pos = t + 1
    for a, b in zip(before, after):
        torch.testing.assert_close(a[0, pos:], b[0, pos:], rtol=0, atol=1e-6)
        assert (a[0, pos - 1] - b[0, pos - 1]).abs().max() > 1e-3


def test_padding_and_batch_neighbours_do_not_change_a_sentences_states(model_and_vocab):
    model, vocab = model_and_vocab
    short = ["a", "dull", "plot"]
    with torch.no_grad():
        alone = model.layer_states(model.batch([short], vocab))
        batched = model.layer_states(model.batch([DOC + DOC, short], vocab))
    for a, b in zip(alone, batched):
        torch.testing.assert_close(a[0], b[1, :len(short) + 2], rtol=1e-5, atol=1e-6)


def test_loss_falls_on_a_tiny_corpus_within_seconds():
    torch.manual_seed(0)
    docs = [DOC, ["a", "dull", "plot", "is", "weak"], ["the", "plot", "is", "fine"]] * 4
    vocab = Vocabulary.build(docs, min_count=1)
    model = BiLM(BiLMConfig.small(vocab)).train()
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    batch = model.batch(docs, vocab)
    losses = []
    for _ in range(40):
        loss = model.loss(batch).total
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < 0.5 * losses[0]


def test_save_load_round_trip_gives_identical_layers(model_and_vocab, tmp_path):
    model, vocab = model_and_vocab
    save_bilm(tmp_path / "b", model, vocab, info={"name": "t"})
    loaded, loaded_vocab, info = load_bilm(tmp_path / "b")
    assert loaded_vocab == vocab and info["name"] == "t"
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == [
        "config.json", "vocab.json", "weights.safetensors"]
    with torch.no_grad():
        for a, b in zip(model.layer_states(model.batch([DOC], vocab)),
                        loaded.layer_states(loaded.batch([DOC], loaded_vocab))):
            assert torch.equal(a, b)


def test_unknown_words_and_characters_still_get_vectors(model_and_vocab):
    model, vocab = model_and_vocab
    with torch.no_grad():
        layers = model.layer_states(model.batch([["zebra", "ünïcödé"]], vocab, targets=False))
    assert torch.isfinite(layers[-1]).all()
    assert vocab.word_id("zebra") == vocab.word_id("<unk>")


def test_large_vocabularies_use_the_adaptive_softmax_with_normalised_probabilities():
    softmax = WordSoftmax(dim=8, n_words=3000)
    assert softmax.kind == "adaptive"
    probs = softmax.log_prob(torch.randn(4, 8)).exp().sum(1)
    torch.testing.assert_close(probs, torch.ones(4))


def test_make_batch_pads_after_each_sentence():
    vocab = Vocabulary.build([["a", "b"]], min_count=1)
    batch = make_batch([["a"], ["a", "b", "b"]], vocab)
    assert batch.lengths.tolist() == [3, 5] and batch.n_tokens == 4
    assert batch.words[0, 3:].tolist() == [0, 0]


def test_a_biLM_that_memorised_random_sentences_cannot_predict_fresh_ones():
    # If either direction could see the word it predicts (an off-by-one in the targets, a
    # leak through padding or the character CNN), it would predict fresh random sentences
    # as well as the memorised ones. It must do no better than chance on them: log(V).
    import math

    rng = torch.Generator().manual_seed(0)
    words = [f"w{i}" for i in range(20)]

    def sentences(n):  # of different lengths, so batches are padded
        return [[words[j] for j in torch.randint(20, (int(k),), generator=rng)]
                for k in torch.randint(4, 12, (n,), generator=rng)]

    seen, fresh = sentences(16), sentences(64)
    torch.manual_seed(0)
    vocab = Vocabulary.build(seen + fresh, min_count=1)
    model = BiLM(BiLMConfig.small(vocab, projection_dim=32, lstm_size=32, softmax="full"))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(150):
        loss = model.loss(model.batch(seen, vocab)).total
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        memorised = model.loss(model.batch(seen, vocab))
        unseen = model.loss(model.batch(fresh, vocab))
    chance = math.log(20)
    assert float(memorised.total) < 0.5 * chance  # it did learn the training sentences
    for nll in (unseen.forward, unseen.backward):  # each direction on its own
        assert float(nll) / unseen.n_predictions > 0.9 * chance
