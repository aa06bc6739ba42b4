"""Tests of textpipe.data.datasets: bundled datasets, load_dataset, Dataset, sampling."""

import collections
import gzip
import subprocess
import sys
from importlib import resources

import pytest

from textpipe.data import DATA_FORMATS, Dataset, bundled_datasets, load_dataset
from textpipe.data.datasets import stratified_indices
from textpipe.errors import DataError

MR_FINGERPRINT = "70f4e6ef9cd8cc1ba26a5c872b0aef3e90610f4307dc794a1e5c3758f9eb1e70"


@pytest.fixture(scope="module")
def mr():
    return load_dataset("mr")


@pytest.fixture(scope="module")
def trec():
    return load_dataset("trec")


# Bundled datasets


def test_mr_has_10662_examples_5331_per_class(mr):
    assert len(mr) == 10662
    assert collections.Counter(mr.labels) == {"0": 5331, "1": 5331}
    assert mr.classes == ["0", "1"]


def test_mr_has_no_test_split_and_names_its_source(mr):
    assert not mr.has_test_split
    assert mr.test_texts is None and mr.test_labels is None
    assert (mr.name, mr.source) == ("mr", "bundled:mr")


def test_mr_byte_0x85_stays_inside_its_document_as_an_ellipsis(mr):
    joined = [t for t in mr.texts if "hmmm…might i suggest" in t]
    assert len(joined) == 1
    assert joined[0].startswith("this overproduced piece of dreck")
    assert sum("…" in t for t in mr.texts) == 22
    assert not any("\x85" in t for t in mr.texts)


def test_mr_documents_are_stripped_and_never_start_with_a_label(mr):
    assert all(t and t == t.strip(" \t\r") for t in mr.texts)
    assert not any(t[:2] in ("0 ", "1 ") for t in mr.texts)
    assert mr.texts[0] == "simplistic , silly and tedious ."


def test_trec_has_5452_train_500_test_and_6_classes(trec):
    assert (len(trec), len(trec.test_texts), len(trec.test_labels)) == (5452, 500, 500)
    assert trec.has_test_split
    assert trec.classes == ["0", "1", "2", "3", "4", "5"]
    assert collections.Counter(trec.labels)["2"] == 86
    assert collections.Counter(trec.test_labels)["2"] == 9


def test_trec_label_names_match_the_coarse_classes_by_their_counts(trec):
    # Li & Roth's coarse classes, told apart by how many questions each has in these files
    train = {"DESC": 1162, "ENTY": 1250, "ABBR": 86, "HUM": 1223, "LOC": 835, "NUM": 896}
    test = {"DESC": 138, "ENTY": 94, "ABBR": 9, "HUM": 65, "LOC": 81, "NUM": 113}
    names = trec.label_names
    assert names == {"0": "DESC", "1": "ENTY", "2": "ABBR", "3": "HUM", "4": "LOC", "5": "NUM"}
    assert {names[k]: v for k, v in collections.Counter(trec.labels).items()} == train
    assert {names[k]: v for k, v in collections.Counter(trec.test_labels).items()} == test
    assert trec.classes == ["0", "1", "2", "3", "4", "5"]     # the stored labels stay
    assert load_dataset("trec", sample=300).label_names == names
    assert trec.label_name("4") == "LOC" and Dataset(["a"], ["x"]).label_name("x") == "x"


def test_label_names_are_display_only_and_leave_the_fingerprint_alone(trec):
    unnamed = Dataset(trec.texts, trec.labels, trec.test_texts, trec.test_labels)
    assert unnamed.fingerprint() == trec.fingerprint()


def test_trec_decodes_its_one_non_ascii_byte(trec):
    assert "Which city has the oldest relationship as a sisterðcity with Los Angeles ?" in (
        trec.texts
    )


def test_bundled_names_are_case_insensitive(mr):
    assert load_dataset("MR").fingerprint() == mr.fingerprint()


def test_bundled_datasets_describe_counts_and_citation():
    described = bundled_datasets()
    assert set(described) == {"mr", "trec"}
    assert "10,662" in described["mr"] and "Pang & Lee, 2005" in described["mr"]
    assert "5,452" in described["trec"] and "Li & Roth, 2002" in described["trec"]


def test_bundled_file_read_as_a_path_gives_the_same_dataset(mr, tmp_path):
    raw = resources.files("textpipe.data").joinpath("bundled", "mr.txt.gz").read_bytes()
    path = tmp_path / "rt-polarity.all"
    path.write_bytes(gzip.decompress(raw))
    from_path = load_dataset(path)
    assert from_path.fingerprint() == mr.fingerprint()
    assert from_path.name == "rt-polarity.all"
    assert from_path.source == str(path.resolve())


def test_importing_textpipe_data_loads_no_heavy_library():
    code = (
        "import sys, textpipe.data; "
        "print([m for m in ('numpy', 'sklearn', 'pandas', 'spacy', 'torch') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_data_formats_are_the_documented_six():
    assert DATA_FORMATS == ("lines", "csv", "tsv", "jsonl", "parquet", "folder")


# Errors of load_dataset's arguments


def test_unknown_dataset_name_suggests_the_closest_bundled_one():
    with pytest.raises(DataError, match=r"unknown dataset 'trek'\. Did you mean 'trec'\?"):
        load_dataset("trek")


def test_missing_path_is_named_in_the_error(tmp_path):
    missing = tmp_path / "reviews.csv"
    with pytest.raises(DataError, match="file or folder not found") as info:
        load_dataset(str(missing))
    assert info.value.file == str(missing)


def test_missing_test_source_is_named_in_the_error(tmp_path):
    train = tmp_path / "train.txt"
    train.write_text("pos fine\n")
    with pytest.raises(DataError, match="not found") as info:
        load_dataset(train, test_source=tmp_path / "test.txt")
    assert info.value.file == str(tmp_path / "test.txt")


def test_unknown_format_lists_the_allowed_ones():
    with pytest.raises(DataError, match="unknown data format 'xml'.*'jsonl', 'parquet', 'folder'"):
        load_dataset("mr", format="xml")


def test_unknown_encoding_is_rejected_before_reading():
    with pytest.raises(DataError, match="unknown text encoding 'utf9'"):
        load_dataset("mr", encoding="utf9")


def test_source_of_the_wrong_type_is_rejected():
    with pytest.raises(DataError, match=r"a path, a DataFrame or \(text, label\) pairs; got int 3"):
        load_dataset(3)


@pytest.mark.parametrize(
    "option", [{"format": "csv"}, {"test_source": "x.txt"}, {"encoding": "utf-8"}]
)
def test_bundled_dataset_rejects_options_that_do_not_apply(option):
    (name,) = option
    with pytest.raises(DataError, match=f"'{name}' does not apply to the bundled dataset 'mr'"):
        load_dataset("mr", **option)


# Sampling


def test_sample_is_stratified_and_keeps_every_class(trec):
    ds = load_dataset("trec", sample=500, seed=3)
    counts = collections.Counter(ds.labels)
    assert len(ds) == 500
    for label, full in collections.Counter(trec.labels).items():
        assert abs(counts[label] - full * 500 / len(trec)) <= 1
    assert ds.classes == trec.classes


def test_sample_is_deterministic_for_a_seed_and_varies_with_it():
    first = load_dataset("mr", sample=200, seed=7)
    assert first.texts == load_dataset("mr", sample=200, seed=7).texts
    assert first.texts != load_dataset("mr", sample=200, seed=8).texts


def test_sample_keeps_the_original_order_and_pairs(mr):
    ds = load_dataset("mr", sample=300)
    position = {text: i for i, text in enumerate(mr.texts)}
    kept = [position[t] for t in ds.texts]
    assert kept == sorted(kept)
    assert [mr.labels[i] for i in kept] == ds.labels


def test_sample_leaves_the_test_split_whole(trec):
    ds = load_dataset("trec", sample=100)
    assert ds.test_texts == trec.test_texts and ds.test_labels == trec.test_labels


def test_sample_larger_than_the_data_keeps_everything(mr):
    assert load_dataset("mr", sample=50_000).fingerprint() == mr.fingerprint()


@pytest.mark.parametrize("bad", [0, -5, 2.5, True, "100"])
def test_sample_must_be_a_positive_integer(bad):
    with pytest.raises(DataError, match="sample must be a positive integer"):
        load_dataset("mr", sample=bad)


def test_stratified_indices_gives_rare_classes_at_least_one():
    labels = ["big"] * 98 + ["rare1", "rare2"]
    picked = stratified_indices(labels, 5, seed=0)
    assert len(picked) == 5
    assert {labels[i] for i in picked} == {"big", "rare1", "rare2"}


# Dataset


def test_fingerprint_is_stable_across_runs(mr):
    assert mr.fingerprint() == MR_FINGERPRINT


def test_fingerprint_changes_with_any_text_label_order_or_split():
    base = Dataset(["a b", "c"], ["x", "y"])
    variants = [
        Dataset(["a b ", "c"], ["x", "y"]),
        Dataset(["a b", "c"], ["x", "x"]),
        Dataset(["c", "a b"], ["y", "x"]),
        Dataset(["a", "b c"], ["x", "y"]),
        Dataset(["a b", "c"], ["x", "y"], [], []),
    ]
    fingerprints = {base.fingerprint(), *(v.fingerprint() for v in variants)}
    assert len(fingerprints) == 1 + len(variants)


def test_fingerprint_ignores_name_and_source():
    assert (
        Dataset(["a"], ["x"], name="one", source="p").fingerprint()
        == Dataset(["a"], ["x"], name="two", source="q").fingerprint()
    )


def test_classes_cover_the_test_split_too():
    assert Dataset(["a"], ["x"], ["b"], ["w"]).classes == ["w", "x"]


def test_dataset_rejects_mismatched_lengths():
    with pytest.raises(DataError, match="the training split has 2 texts but 1 labels"):
        Dataset(["a", "b"], ["x"])


def test_dataset_rejects_non_str_labels():
    match = "labels of the training split must hold only str, but item 1 is int"
    with pytest.raises(DataError, match=match):
        Dataset(["a", "b"], ["x", 1])


def test_dataset_needs_test_texts_and_labels_together():
    with pytest.raises(DataError, match="both be given or both be None"):
        Dataset(["a"], ["x"], test_texts=["b"])


def test_dataset_repr_is_a_summary_not_the_data(mr):
    assert repr(mr) == "Dataset(name='mr', n_train=10662, n_test=None, classes=['0', '1'])"


def test_check_classes_names_the_source_of_one_class_data():
    Dataset(["fine", "dull"], ["pos", "neg"], source="r.csv").check_classes()
    with pytest.raises(DataError, match=r"^r.csv: the training data has only one class \('pos'\)"):
        Dataset(["fine", "good"], ["pos", "pos"], test_texts=["bad"], test_labels=["neg"],
                source="r.csv").check_classes()


class Frame:
    """A stand-in for a pandas DataFrame: named columns of equal length."""

    def __init__(self, **columns):
        self._columns = columns

    @property
    def columns(self):
        return list(self._columns)

    def __getitem__(self, name):
        return self._columns[name]

    def __len__(self):
        return len(next(iter(self._columns.values())))

    def __repr__(self):
        return "\n".join(f"row {i} " + "x" * 80 for i in range(len(self)))


REVIEWS = ["a fine film", "dull", "fine acting", "a dull plot"]


def test_load_dataset_accepts_a_dataframe_with_named_columns():
    frame = Frame(review=REVIEWS, stars=[1, 0, 1, 0], extra=[None] * 4)
    ds = load_dataset(frame, text_column="review", label_column="stars")
    assert ds.texts == REVIEWS and ds.labels == ["1", "0", "1", "0"]
    assert ds.classes == ["0", "1"] and not ds.has_test_split


def test_load_dataset_reads_text_and_label_columns_by_default_and_a_test_frame():
    train = Frame(text=REVIEWS, label=["pos", "neg", "pos", "neg"])
    ds = load_dataset(train, test_source=Frame(text=["fine"], label=["pos"]), sample=2)
    assert len(ds) == 2 and ds.test_texts == ["fine"] and ds.classes == ["neg", "pos"]


def test_load_dataset_accepts_a_pandas_dataframe():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"text": REVIEWS, "label": [1, 0, 1, 0]}, index=[7, 3, 9, 1])
    ds = load_dataset(df)
    assert ds.texts == REVIEWS and ds.labels == ["1", "0", "1", "0"]


def test_a_missing_column_is_named_with_the_columns_there_and_no_whole_frame():
    frame = Frame(review=REVIEWS * 50, stars=[1, 0, 1, 0] * 50)
    with pytest.raises(DataError, match=r"no column 'text'.*'review', 'stars'.*\[E730\]") as err:
        load_dataset(frame)
    assert "row 1" not in str(err.value) and len(str(err.value)) < 400


def test_load_dataset_accepts_text_label_pairs_from_any_iterable():
    pairs = [("a fine film", "pos"), ("dull", "neg"), ("fine", "pos")]
    assert load_dataset(pairs).labels == ["pos", "neg", "pos"]
    ds = load_dataset(iter(pairs))
    assert ds.texts == ["a fine film", "dull", "fine"] and ds.name == "pairs"


@pytest.mark.parametrize("bad", [["a text without a label"], [("a", "b", "c")], [3]])
def test_an_item_that_is_not_a_text_label_pair_is_named(bad):
    with pytest.raises(DataError, match=r"item 0 of the examples is .* not a \(text, label\) "
                                        r"pair.*\[E731\]"):
        load_dataset(bad)


def test_file_options_are_refused_for_data_given_in_memory():
    with pytest.raises(DataError, match=r"'format' applies to files.*\[E732\]"):
        load_dataset(Frame(text=REVIEWS, label=REVIEWS), format="csv")


def test_an_error_never_prints_a_whole_object():
    class Huge:
        def __repr__(self):
            return "y" * 10_000

    with pytest.raises(DataError) as err:
        load_dataset(Huge())
    assert "y" * 100 not in str(err.value) and len(str(err.value)) < 300
