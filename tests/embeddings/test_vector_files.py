"""Vector files: each format read back as written, format detection, the mmap cache, errors."""

import gzip
import os
import re

import numpy as np
import pytest
from gensim.models import KeyedVectors

from textpipe.embeddings import vector_files
from textpipe.embeddings.vector_files import detect_format, load_vectors
from textpipe.errors import DataError

WORDS = ["the", "film", "café", "naïve", "good", "bad"]


@pytest.fixture(scope="module")
def kv():
    vectors = np.random.default_rng(0).normal(size=(len(WORDS), 5)).astype(np.float32)
    kv = KeyedVectors(5)
    kv.add_vectors(WORDS, vectors)
    return kv


def write(kv, path, binary=False, header=True):
    kv.save_word2vec_format(str(path), binary=binary, write_header=header)
    return path


def assert_same(loaded, kv, atol=1e-6):
    assert loaded.index_to_key == kv.index_to_key
    np.testing.assert_allclose(loaded.vectors, kv.vectors, atol=atol)


@pytest.mark.parametrize(
    "name, binary, header, fmt",
    [
        ("v.txt", False, False, "glove"),
        ("v.w2v.txt", False, True, "word2vec"),
        ("v.vec", False, True, "fasttext"),
        ("v.bin", True, True, "word2vec"),
    ],
)
def test_each_format_loads_the_vectors_written(kv, tmp_path, name, binary, header, fmt):
    path = write(kv, tmp_path / name, binary=binary, header=header)
    assert_same(load_vectors(path, format=fmt, binary=binary or None), kv)
    assert_same(load_vectors(path, cache_dir=False), kv)  # auto-detected


def test_handwritten_glove_text_with_crlf_and_trailing_spaces(tmp_path):
    path = tmp_path / "glove.txt"
    path.write_bytes(b"a 1 2.5 -3e-1 \r\nb 0 0 1\r\n\r\n")
    loaded = load_vectors(path, cache_dir=False)
    assert loaded.index_to_key == ["a", "b"]
    np.testing.assert_array_equal(loaded.vectors, np.float32([[1, 2.5, -0.3], [0, 0, 1]]))
    assert loaded.vectors.dtype == np.float32


def test_text_parser_agrees_with_gensim(kv, tmp_path):
    for header in (True, False):
        path = write(kv, tmp_path / f"v{header}.txt", header=header)
        ours = load_vectors(path, cache_dir=False)
        theirs = KeyedVectors.load_word2vec_format(str(path), no_header=not header)
        assert ours.index_to_key == theirs.index_to_key
        np.testing.assert_array_equal(ours.vectors, theirs.vectors)
        assert ours.most_similar("film", topn=2) == theirs.most_similar("film", topn=2)


def test_binary_detected_by_content_without_bin_extension(kv, tmp_path):
    path = write(kv, tmp_path / "vectors.dat", binary=True)
    assert detect_format(path) == ("word2vec", True)
    assert_same(load_vectors(path, cache_dir=False), kv)


@pytest.mark.parametrize(
    "name, binary, header, expected",
    [
        ("a.txt", False, False, ("glove", False)),
        ("b.txt", False, True, ("word2vec", False)),
        ("c.vec", False, True, ("word2vec", False)),
        ("d.bin", True, True, ("word2vec", True)),
    ],
)
def test_detect_format_tells_each_format_apart(kv, tmp_path, name, binary, header, expected):
    assert detect_format(write(kv, tmp_path / name, binary=binary, header=header)) == expected


def test_detect_format_one_dimensional_glove_is_not_a_header(tmp_path):
    path = tmp_path / "one.txt"
    path.write_text("1990 3\n1991 4\n")
    assert detect_format(path) == ("glove", False)


def test_gzip_files_are_read(kv, tmp_path):
    plain = write(kv, tmp_path / "v.txt", header=False)
    packed = tmp_path / "v.txt.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert_same(load_vectors(packed), kv)


def test_second_load_uses_the_memory_mapped_cache_without_parsing(kv, tmp_path, monkeypatch):
    path = write(kv, tmp_path / "v.txt", header=False)
    first = load_vectors(path)
    assert isinstance(first.vectors, np.memmap)
    cache = tmp_path / "v.txt.textpipe-kv"
    assert sorted(p.suffix for p in cache.iterdir()) == [".kv", ".npy"]

    def no_parsing(*args, **kwargs):
        raise AssertionError("the file was parsed again")

    monkeypatch.setattr(vector_files, "_parse_vectors", no_parsing)
    second = load_vectors(path)
    assert isinstance(second.vectors, np.memmap) and second.vectors.filename
    assert_same(second, kv)
    in_memory = load_vectors(path, mmap=False)
    assert not isinstance(in_memory.vectors, np.memmap)
    assert_same(in_memory, kv)


def test_changed_file_is_parsed_again_and_stale_cache_removed(kv, tmp_path):
    path = write(kv, tmp_path / "v.txt", header=False)
    load_vectors(path)
    path.write_text("new 1 2 3 4 5\n")
    os.utime(path, ns=(1, 1))
    loaded = load_vectors(path)
    assert loaded.index_to_key == ["new"]
    assert len(list((tmp_path / "v.txt.textpipe-kv").glob("*.kv"))) == 1


def test_cache_dir_and_limit_are_honoured(kv, tmp_path, monkeypatch):
    path = write(kv, tmp_path / "v.vec")
    cache = tmp_path / "cache"
    assert load_vectors(path, cache_dir=cache, limit=2).index_to_key == WORDS[:2]
    assert load_vectors(path, cache_dir=cache).index_to_key == WORDS  # another cache entry
    assert len(list(cache.glob("*.kv"))) == 1  # the limit=2 entry was replaced
    assert not (tmp_path / "v.vec.textpipe-kv").exists()
    calls = []
    parse = vector_files._parse_vectors
    monkeypatch.setattr(vector_files, "_parse_vectors", lambda *a: calls.append(a) or parse(*a))
    load_vectors(path, cache_dir=False)
    load_vectors(path, cache_dir=False)
    assert len(calls) == 2


def test_words_with_spaces_are_read_as_in_glove_840b(tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("a 1 2\n. . . 3 4\nb 5 6\n")
    loaded = load_vectors(path, cache_dir=False)
    assert loaded.index_to_key == ["a", ". . .", "b"]
    np.testing.assert_array_equal(loaded[". . ."], [3, 4])


def test_duplicated_words_keep_the_first_vector(tmp_path):
    path = tmp_path / "d.txt"
    path.write_text("a 1 2\nb 3 4\na 5 6\n")
    loaded = load_vectors(path, cache_dir=False)
    assert loaded.index_to_key == ["a", "b"]
    np.testing.assert_array_equal(loaded["a"], [1, 2])


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(DataError, match=r"nope\.txt: file or folder not found"):
        load_vectors(tmp_path / "nope.txt")


def test_empty_file_names_the_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("")
    with pytest.raises(DataError, match=r"empty\.txt: the vector file is empty"):
        load_vectors(path)


@pytest.mark.parametrize(
    "content, line, message",
    [
        ("a 1 2 3\nb 1 2\n", 2, "expected 3 numbers after the word.*has 2"),
        ("a 1 2 3\nb 1 2 3\nc 1 2 3 4\n", 3, "expected 3 numbers.*has 4"),
        ("2 3\na 1 2 3\nb 1 2\n", 3, "expected 3 numbers.*has 2"),
        ("a 1 2\nb 1 x\n", 2, "cannot read 'x' as a number"),
        ("3 2\na 1 2\nb 1 2\n", None, "announces 3 vectors, but the file ends after 2"),
    ],
)
def test_bad_lines_name_the_file_and_line(tmp_path, content, line, message):
    path = tmp_path / "bad.txt"
    path.write_text(content)
    with pytest.raises(DataError) as info:
        load_vectors(path, cache_dir=False)
    text = str(info.value)
    assert text.startswith(str(path))
    assert info.value.line == line
    if line is not None:
        assert f"line {line}:" in text
    assert __import__("re").search(message, text)


def test_invalid_utf8_in_a_text_file_names_the_line(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes(b"a 1 2\ncaf\xe9 3 4\n")
    with pytest.raises(DataError, match=r"line 2: the line is not valid utf-8"):
        load_vectors(path, format="glove", cache_dir=False)


def test_truncated_binary_file_is_a_data_error(kv, tmp_path):
    path = write(kv, tmp_path / "v.bin", binary=True)
    path.write_bytes(path.read_bytes()[:-7])
    with pytest.raises(DataError, match="cannot read the binary word2vec file"):
        load_vectors(path, cache_dir=False)


def test_bin_file_without_header_says_what_to_do(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"\xba\x16O/\x0c\x00\x00\x00" * 10)  # a fastText model's magic number
    with pytest.raises(DataError, match=r"line 1: a binary word2vec file starts with a header"):
        load_vectors(path)


def test_bad_arguments_are_rejected(kv, tmp_path):
    path = write(kv, tmp_path / "v.txt", header=False)
    with pytest.raises(ValueError, match="unknown vector file format 'glvoe'"):
        load_vectors(path, format="glvoe")
    with pytest.raises(ValueError, match="binary=True does not apply to format 'glove'"):
        load_vectors(path, format="glove", binary=True)


def test_gensim_native_files_load_directly(kv, tmp_path):
    path = tmp_path / "native.kv"
    kv.save(str(path), separately=["vectors"])
    loaded = load_vectors(path, format="gensim")
    assert isinstance(loaded.vectors, np.memmap)
    assert_same(loaded, kv)


def test_unwritable_cache_falls_back_to_memory(kv, tmp_path, monkeypatch, caplog):
    path = write(kv, tmp_path / "v.txt", header=False)

    def cannot_write(*args):
        raise PermissionError("read-only folder")

    monkeypatch.setattr(vector_files, "_write_cache", cannot_write)
    with caplog.at_level("WARNING", logger="textpipe.embeddings.vector_files"):
        loaded = load_vectors(path)
    assert_same(loaded, kv)
    assert not isinstance(loaded.vectors, np.memmap)
    assert "cannot write the vector cache" in caplog.text


@pytest.mark.parametrize("value", ["nan", "-inf", "1e999"])
def test_a_value_that_is_not_finite_is_refused_with_its_line(tmp_path, value):
    path = tmp_path / "v.txt"
    path.write_text(f"good 1 0\nbad 1 {value}\nfilm 1 1\n")
    with pytest.raises(DataError, match=re.escape(f"v.txt, line 2: '{value}' is not a finite")):
        load_vectors(path, cache_dir=False)


def test_a_non_finite_value_in_a_binary_file_names_the_word(tmp_path):
    kv = KeyedVectors(2)
    kv.add_vectors(["good", "bad"], np.array([[1, 0], [np.nan, 1]], dtype=np.float32))
    path = write(kv, tmp_path / "v.bin", binary=True)
    with pytest.raises(DataError, match=r"v.bin: the vector of 'bad' "
                                        r"\(vector 2\) holds a value that is not a finite"):
        load_vectors(path, cache_dir=False)


def test_a_header_of_dimension_zero_is_refused_on_line_1(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text("2 0\ngood\nbad\n")
    with pytest.raises(DataError, match=r"v.txt, line 1: the header line says 2 vectors of "
                                        r"dimension 0"):
        load_vectors(path, cache_dir=False)


def test_a_gzip_file_cut_short_is_a_data_error(tmp_path):
    lines = "".join(f"w{i} {i} {i % 7}\n" for i in range(5000))
    path = tmp_path / "v.txt.gz"
    path.write_bytes(gzip.compress(f"5000 2\n{lines}".encode())[:4000])
    with pytest.raises(DataError, match=r"v.txt.gz: cannot decompress the gzip file"):
        load_vectors(path, cache_dir=False)
