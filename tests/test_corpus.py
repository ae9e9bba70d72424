"""Loading and validating corpora (stance.corpus)."""

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stance
from stance.corpus import (
    CORPUS_COLUMNS,
    LABELS,
    corpus_sha256,
    find_near_duplicates,
    load_corpus,
    validate_corpus,
)


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(schema="full")


def test_bundled_corpus_has_full_schema_and_is_clean(corpus):
    assert list(corpus.columns) == list(CORPUS_COLUMNS)
    assert validate_corpus(corpus, schema="full", near_duplicates=True) == []


def test_bundled_corpus_size_balance_and_breadth(corpus):
    assert len(corpus) >= 2400
    counts = corpus["label"].value_counts()
    assert all(counts[label] >= 450 for label in LABELS), counts.to_dict()
    assert corpus["country"].nunique() >= 20
    assert corpus["topic"].nunique() >= 10
    assert corpus["register"].nunique() >= 6
    assert (corpus["hard"] == "1").mean() >= 0.15


def test_bundled_corpus_contains_the_seed_statements(corpus):
    seed = corpus[corpus["group"] == "cn-seed-huang"]
    text = " ".join(seed["text"]).lower()
    assert "huang" in text and "mi6" in text
    assert {"accuse", "deny"} <= set(seed["label"])
    assert seed["text"].str.contains("innocent").any()


def test_groups_are_scenarios_not_singletons(corpus):
    sizes = corpus["group"].value_counts()
    assert sizes.median() >= 3


def test_load_from_csv_and_frame_agree(tiny_csv, tiny_frame):
    from_file = load_corpus(tiny_csv)
    from_frame = load_corpus(tiny_frame)
    pd.testing.assert_frame_equal(from_file, from_frame)
    assert corpus_sha256(from_file) == corpus_sha256(from_frame)


def test_group_defaults_to_id(tiny_frame):
    loaded = load_corpus(tiny_frame.drop(columns="group"))
    assert list(loaded["group"]) == list(loaded["id"])


def test_sha256_ignores_extra_columns_but_not_content(tiny_frame):
    base = corpus_sha256(load_corpus(tiny_frame))
    assert corpus_sha256(load_corpus(tiny_frame.assign(extra="x"))) == base
    changed = tiny_frame.copy()
    changed.loc[0, "text"] += " Again."
    assert corpus_sha256(load_corpus(changed)) != base


def _broken(frame, row, column, value):
    frame = frame.copy()
    frame.loc[row, column] = value
    return frame


@pytest.mark.parametrize(
    "mutate, row, column, words",
    [
        (lambda f: _broken(f, 3, "label", "acuse"), 4, "label", "unknown label 'acuse'"),
        (lambda f: _broken(f, 5, "text", "   "), 6, "text", "text is empty"),
        (lambda f: _broken(f, 7, "id", "t01"), 8, "id", "duplicate id 't01' (first used in row 1)"),
        (lambda f: _broken(f, 2, "id", ""), 3, "id", "id is empty"),
        (lambda f: _broken(f, 9, "group", ""), 10, "group", "group is empty"),
        (lambda f: f.drop(columns="label"), None, "label", "required column is missing"),
        (lambda f: f.drop(columns="text"), None, "text", "required column is missing"),
    ],
)
def test_validation_names_row_and_column(tiny_frame, mutate, row, column, words):
    with pytest.raises(stance.CorpusError) as info:
        load_corpus(mutate(tiny_frame))
    problems = info.value.problems
    assert len(problems) == 1
    assert (problems[0].row, problems[0].column) == (row, column)
    assert words in str(info.value)


def test_all_problems_are_reported_at_once(tiny_frame):
    frame = _broken(_broken(tiny_frame, 0, "label", "maybe"), 1, "text", "")
    with pytest.raises(stance.CorpusError) as info:
        load_corpus(frame)
    assert [(p.row, p.column) for p in info.value.problems] == [(1, "label"), (2, "text")]


def test_text_that_looks_missing_stays_text(tmp_path):
    path = tmp_path / "na.csv"
    path.write_text("id,text,label\na,NA,other\nb,None,other\nc,The claim is false.,deny\n", encoding="utf-8")
    assert list(load_corpus(path)["text"]) == ["NA", "None", "The claim is false."]


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "is empty"),
        (b"id,text,label\n1,\xff\xfe bad bytes,deny\n", "not valid UTF-8"),
    ],
)
def test_unreadable_files_raise_corpus_error(tmp_path, content, words):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(stance.CorpusError, match=words):
        load_corpus(path)


def test_missing_file_and_wrong_type(tmp_path):
    with pytest.raises(stance.CorpusError, match="no such file"):
        load_corpus(tmp_path / "nowhere.csv")
    with pytest.raises(TypeError, match="CSV path, a pandas DataFrame or None"):
        load_corpus(42)


def test_full_schema_requires_every_column(tiny_frame):
    problems = validate_corpus(tiny_frame, schema="full")
    assert {p.column for p in problems} == set(CORPUS_COLUMNS) - set(tiny_frame.columns)


def test_near_duplicates_are_found_and_distinct_texts_are_not():
    texts = [
        "The ministry said the allegations were entirely groundless and politically motivated.",
        "The ministry said the allegations were entirely groundless and politically motivated!",
        "Fishing talks will resume in Manila next week, officials confirmed.",
    ]
    pairs = find_near_duplicates(texts)
    assert [(i, j) for i, j, _ in pairs] == [(0, 1)]
    assert [(i, j) for i, j, _ in find_near_duplicates(texts[2:], others=texts[:2])] == []
    assert [(i, j) for i, j, _ in find_near_duplicates(texts[1:2], others=texts)] == [(0, 0), (0, 1)]
    frame = pd.DataFrame({"id": ["a", "b", "c"], "text": texts, "label": ["deny", "deny", "other"]})
    problems = validate_corpus(frame, near_duplicates=True)
    assert [(p.row, p.column) for p in problems] == [(2, "text")]
    assert "near-copy of row 1" in problems[0].message


cell = st.one_of(st.text(max_size=30), st.sampled_from(LABELS), st.none(), st.integers(), st.floats())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(cell, cell, cell), max_size=8), drop=st.sampled_from([None, "id", "text", "label"]))
def test_loader_on_arbitrary_frames_loads_or_names_the_fault(rows, drop):
    frame = pd.DataFrame(rows, columns=["id", "text", "label"])
    if drop:
        frame = frame.drop(columns=drop)
    try:
        loaded = load_corpus(frame)
    except stance.CorpusError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.column in ("id", "text", "label") or problem.column is None
            assert problem.row is None or 1 <= problem.row <= len(rows)
    else:
        assert len(loaded) == len(rows) > 0
        assert set(loaded["label"]) <= set(LABELS)
        assert loaded["id"].is_unique


@settings(max_examples=60, deadline=None)
@given(body=st.text(max_size=200))
def test_loader_on_arbitrary_csv_text_loads_or_raises_corpus_error(tmp_path_factory, body):
    path = tmp_path_factory.mktemp("csv") / "c.csv"
    path.write_text("id,text,label\n" + body, encoding="utf-8")
    try:
        load_corpus(path)
    except stance.CorpusError as exc:
        assert exc.problems and str(exc)


def test_datasheet_counts_match_the_bundled_corpus(corpus):
    import pathlib

    sheet = pathlib.Path(__file__).resolve().parents[1] / "datasets" / "DATASHEET.md"
    if not sheet.exists():
        pytest.skip("not running from a checkout")
    text = sheet.read_text(encoding="utf-8")
    counts = corpus["label"].value_counts()
    assert f"valid: {len(corpus)} statements in {corpus['group'].nunique()} groups" in text
    assert "labels: " + ", ".join(f"{lab} {counts[lab]}" for lab in LABELS) in text
