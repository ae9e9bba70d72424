"""The public one-line interface: stance.predict and stance.predict_proba."""

import math
import re
import subprocess
import sys
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stance

SEED = [
    (
        "The Ministry of State Security said a consultant surnamed Huang had been recruited by MI6 "
        "and handed over 14 state secrets.",
        "accuse",
    ),
    (
        "The foreign ministry spokesperson said the claims were entirely groundless and urged London "
        "to stop its malicious slander against China.",
        "deny",
    ),
    ("The parliamentary researcher said he is completely innocent.", "deny"),
]


def test_public_surface():
    for name in stance.__all__:
        assert hasattr(stance, name), name
    assert stance.__version__


@pytest.mark.parametrize("text, label", SEED)
def test_bundled_model_labels_the_seed_statements(text, label):
    assert stance.predict(text) == label


def test_codebook_examples_reach_their_labels():
    examples = {
        "The spokesperson said the allegations were entirely groundless.": "deny",
        "The accusations are groundless.": "deny",
    }
    for text, label in examples.items():
        assert stance.predict(text) == label


def test_single_string_gives_label_and_dict_list_gives_lists():
    assert stance.predict("Talks resume on Monday.") in stance.LABELS
    proba = stance.predict_proba("The accusations are groundless.")
    assert set(proba) == set(stance.LABELS)
    assert max(proba, key=proba.get) == "deny"
    batch = ["The accusations are groundless.", "Talks resume on Monday."]
    assert stance.predict(batch) == [stance.predict(t) for t in batch]
    assert stance.predict_proba(batch) == [stance.predict_proba(t) for t in batch]
    assert stance.predict([]) == [] and stance.predict_proba([]) == []


@pytest.mark.parametrize("blank", ["", " ", "\n\t  ", "\u3000"])
def test_blank_statements_are_other_with_certainty(blank):
    assert stance.predict(blank) == "other"
    assert stance.predict_proba(blank)["other"] == 1.0
    assert stance.predict(["The accusations are groundless.", blank]) == ["deny", "other"]


@pytest.mark.parametrize(
    "bad, position",
    [(None, None), (42, None), (b"bytes", None), ([ "ok", None], 1), (["ok", "fine", 3.5], 2), ([b"x"], 0)],
)
def test_non_strings_raise_type_error_naming_the_position(bad, position):
    with pytest.raises(TypeError) as info:
        stance.predict(bad)
    if position is not None:
        assert f"[{position}]" in str(info.value)
    with pytest.raises(TypeError):
        stance.predict_proba(bad)


def test_over_long_text_is_read_up_to_max_chars():
    head = "The accusations are groundless. " * (stance.MAX_CHARS // 32)
    long = head[: stance.MAX_CHARS] + " Spies stole secrets." * 50_000  # about 1 MB
    assert stance.predict_proba(long) == stance.predict_proba(head[: stance.MAX_CHARS])


def test_ten_megabyte_string_is_handled():
    text = "x" * 10_000_000
    assert stance.predict(text) in stance.LABELS


text_strategy = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec=None), max_size=300),
    st.sampled_from(["\ud800", "\x00", "\u202e right-to-left", "e\u0301\u0301", "😀" * 50, "\r\n"]),
)


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(text_strategy, max_size=6))
def test_probabilities_are_a_distribution_and_label_is_argmax(texts):
    for text, label, proba in zip(texts, stance.predict(texts), stance.predict_proba(texts)):
        assert all(math.isfinite(p) and 0.0 <= p <= 1.0 for p in proba.values())
        assert abs(sum(proba.values()) - 1.0) < 1e-9
        assert label == max(stance.LABELS, key=lambda lab: (proba[lab], -stance.LABELS.index(lab)))


@settings(max_examples=100, deadline=None)
@given(texts=st.lists(text_strategy, min_size=1, max_size=6), data=st.data())
def test_batch_equals_items_in_any_order(texts, data):
    batch = stance.predict_proba(texts)
    assert batch == [stance.predict_proba(t) for t in texts]
    order = data.draw(st.permutations(range(len(texts))))
    assert stance.predict_proba([texts[i] for i in order]) == [batch[i] for i in order]


@settings(max_examples=50, deadline=None)
@given(items=st.lists(st.one_of(st.text(max_size=20), st.none(), st.integers(), st.binary(max_size=5)), max_size=5))
def test_mixed_lists_give_a_result_or_type_error(items):
    try:
        labels = stance.predict(items)
    except TypeError as exc:
        bad = next(i for i, item in enumerate(items) if not isinstance(item, str))
        assert f"[{bad}]" in str(exc)
    else:
        assert len(labels) == len(items)


def test_results_are_identical_across_processes():
    code = "import stance, json; print(json.dumps(stance.predict_proba(['They spied on us.', 'We deny it.'])))"
    # cwd="/" so that the checkout's stance/ folder cannot shadow the installed package
    runs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/").stdout
        for _ in range(2)
    }
    assert len(runs) == 1
    import json

    assert json.loads(runs.pop()) == stance.predict_proba(["They spied on us.", "We deny it."])


def test_threads_predicting_at_once_match_sequential_results():
    texts = [f"Officials in city {i} said the spying claims were false." for i in range(200)]
    expected = stance.predict_proba(texts)
    results = [None] * 8
    model = stance.load()

    def work(k):
        results[k] = stance.predict_proba(texts, model=model)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results)


def test_predict_frame_adds_label_columns_and_keeps_the_rest():
    import pandas as pd

    frame = pd.DataFrame(
        {"body": ["The accusations are groundless.", "Be vigilant about fake recruiters online."], "n": [1, 2]},
        index=["a", "b"],
    )
    out = stance.predict_frame(frame, column="body")
    assert list(out.columns) == ["body", "n", "stance", "p_accuse", "p_deny", "p_other", "p_warn"]
    assert list(out.index) == ["a", "b"] and list(frame.columns) == ["body", "n"]
    assert out["stance"].tolist() == stance.predict(frame["body"].tolist())
    assert stance.predict_frame(frame, column="body", min_confidence=1.0)["stance"].tolist() == ["uncertain"] * 2
    assert stance.predict_frame(frame.iloc[:0], column="body").columns.tolist() == list(out.columns)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda pd: stance.predict_frame(pd.DataFrame({"text": ["ok", None]}, index=[10, 11])), TypeError, "text[11] is missing"),
        (lambda pd: stance.predict_frame(pd.DataFrame({"text": ["ok", 3]})), TypeError, "text[1] is int, not str"),
        (lambda pd: stance.predict_frame(pd.DataFrame({"body": ["ok"]})), KeyError, "no column 'text'"),
        (lambda pd: stance.predict_frame(["ok"]), TypeError, "must be a pandas DataFrame"),
        (lambda pd: stance.predict_frame(pd.DataFrame({"text": ["ok"]}), min_confidence=2), ValueError, "between 0 and 1"),
    ],
)
def test_predict_frame_errors(call, error, words):
    import pandas as pd

    with pytest.raises(error, match=re.escape(words)):
        call(pd)
