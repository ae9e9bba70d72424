"""The code-free serving form (stance.serving)."""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stance
from stance import ServingModel


def test_serving_equals_pipeline_on_the_whole_corpus(bundled):
    estimator = stance.load_estimator()
    texts = list(stance.load_corpus()["text"])
    expected = estimator.pipeline_.predict_proba(texts)
    got = bundled.predict_proba(texts)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    assert bundled.predict(texts) == [str(estimator.classes_[i]) for i in expected.argmax(axis=1)]
    assert list(bundled.classes_) == list(estimator.classes_)


@pytest.fixture(scope="module")
def estimator():
    return stance.load_estimator()


@settings(max_examples=150, deadline=None)
@given(
    text=st.one_of(
        st.text(),
        st.text(alphabet=st.characters(codec=None), min_size=1, max_size=400),
        st.sampled_from(["", " ", "\t\n", "zzqx qqqv", "?!", "Ünïcödé ÇAF É", "ǅ ß ﬁ İ", "lone \ud800 surrogate", "nul\x00byte", "עברית مرحبا"]),
        st.lists(st.sampled_from(["the", "spy", "claims", "are", "false", "  ", "\u00a0", "!"]), max_size=60).map(" ".join),
    )
)
def test_serving_equals_pipeline_on_any_text(bundled, estimator, text):
    expected = estimator.pipeline_.predict_proba([text]) if text.strip() else None
    got = bundled.predict_proba([text])
    if expected is not None:
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(got, estimator.predict_proba([text]), rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    "text",
    [
        "a" * 30_000,  # one n-gram counted tens of thousands of times, and clipped
        "spy " * 6_000,
        "The ministry denied it. " * 900,
    ],
)
def test_serving_equals_pipeline_on_very_long_statements(bundled, estimator, text):
    clipped = text[: stance.MAX_CHARS]
    np.testing.assert_allclose(
        bundled.predict_proba([text]), estimator.pipeline_.predict_proba([clipped]), rtol=0, atol=1e-9
    )


@pytest.mark.parametrize("char_range", [None, (2, 4), (1, 3)])
@pytest.mark.parametrize("word_range", [(1, 1), (1, 3), (2, 2)])
def test_serving_replicates_other_analyzer_settings(tiny_frame, word_range, char_range):
    model = stance.StanceClassifier(word_ngram_range=word_range, char_ngram_range=char_range, sublinear_tf=False)
    model.fit(list(tiny_frame["text"]), list(tiny_frame["label"]))
    texts = list(tiny_frame["text"]) + ["a b", "x", "Spy? Spy! spy...", "un mot"]
    np.testing.assert_allclose(model.to_serving().predict_proba(texts), model.predict_proba(texts), atol=1e-12)


@pytest.mark.parametrize("norm", ["l1", None])
@pytest.mark.parametrize("sublinear", [[True, False], [False, True]])
def test_serving_replicates_other_norms_and_mixed_blocks(tiny_frame, norm, sublinear):
    """Pipelines built outside StanceClassifier: l1 or no normalisation, and
    blocks that disagree on sublinear TF."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    union = FeatureUnion([
        ("word", TfidfVectorizer(ngram_range=(1, 2), norm=norm, sublinear_tf=sublinear[0])),
        ("char", TfidfVectorizer(analyzer="char", ngram_range=(2, 3), norm="l2", sublinear_tf=sublinear[1])),
    ])
    pipeline = Pipeline([("features", union), ("clf", LogisticRegression(max_iter=2000))])
    pipeline.fit(list(tiny_frame["text"]), list(tiny_frame["label"]))
    texts = list(tiny_frame["text"]) + ["spy spy spy spy", "x", "Nothing known here at all", "?!"]
    serving = ServingModel.from_pipeline(pipeline)
    np.testing.assert_allclose(serving.predict_proba(texts), pipeline.predict_proba(texts), rtol=0, atol=1e-12)
    np.testing.assert_allclose(serving.decision_function(texts), pipeline.decision_function(texts), rtol=0, atol=1e-12)


def test_an_empty_batch_gives_empty_results(bundled):
    n_labels = len(bundled.classes_)
    assert bundled.predict_proba([]).shape == (0, n_labels)
    assert bundled.decision_function([]).shape == (0, n_labels)
    assert bundled.predict([]) == []


def test_two_label_models_are_served_too(tiny_frame):
    two = tiny_frame[tiny_frame["label"].isin(["deny", "other"])]
    model = stance.StanceClassifier().fit(list(two["text"]), list(two["label"]))
    texts = ["We reject this.", "Talks resume on Monday."]
    np.testing.assert_allclose(model.to_serving().predict_proba(texts), model.predict_proba(texts), atol=1e-12)
    np.testing.assert_allclose(model.to_serving().decision_function(texts), model.decision_function(texts), atol=1e-12)


def test_round_trip_through_npz_keeps_predictions(tmp_path, tiny_model):
    path = tmp_path / "m.npz"
    serving = tiny_model.to_serving()
    with open(path, "wb") as fh:
        serving.write(fh)
    again = ServingModel.load(path)
    texts = ["The embassy rejected the claims.", ""]
    np.testing.assert_array_equal(again.predict_proba(texts), serving.predict_proba(texts))
    assert again.metadata == serving.metadata


def test_batch_chunks_give_the_same_result_as_one_by_one(bundled):
    texts = [f"Statement {i}: the ministry denied spying on {i} ships." for i in range(2500)]
    batch = bundled.predict_proba(texts)
    sample = [0, 1023, 1024, 2047, 2048, 2499]
    for i in sample:
        np.testing.assert_array_equal(batch[i], bundled.predict_proba([texts[i]])[0])


def test_predicting_imports_neither_sklearn_nor_pandas():
    code = (
        "import sys, stance; stance.predict('The accusations are groundless.'); "
        "stance.predict_proba(['a', 'b']); "
        "print(sorted(m for m in ('sklearn', 'pandas', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    assert out.stdout.strip() == "[]"


def test_unsupported_vectorizers_are_refused(tiny_frame):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipeline = make_pipeline(TfidfVectorizer(stop_words="english"), LogisticRegression())
    pipeline.fit(list(tiny_frame["text"]), list(tiny_frame["label"]))
    with pytest.raises(ValueError, match="stop_words"):
        ServingModel.from_pipeline(pipeline)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=300), top=st.one_of(st.none(), st.integers(0, 12)), which=st.integers(0, 3))
def test_explanations_add_up_exactly_to_the_score(bundled, estimator, text, top, which):
    label = str(bundled.classes_[which])
    why = bundled.explain(text, top=top, label=label)
    total = why.intercept + sum(c for _, _, c in why.features) + why.rest
    assert abs(total - why.score) < 1e-9
    if text.strip():
        # The score is the pipeline's own logit for that label.
        assert abs(why.score - estimator.pipeline_.decision_function([text])[0][which]) < 1e-9
    assert top is None or len(why.features) <= top
    magnitudes = [abs(c) for _, _, c in why.features]
    assert magnitudes == sorted(magnitudes, reverse=True)


def test_explanation_defaults_to_the_predicted_label_and_names_words(bundled, estimator):
    text = "The accusations are groundless and fabricated."
    why = bundled.explain(text, top=None)
    assert why.label == bundled.predict([text])[0] == "deny"
    assert why.probability == pytest.approx(bundled.predict_proba([text])[0][list(bundled.classes_).index("deny")])
    names = {(name, kind) for name, kind, _ in why.features}
    assert ("groundless", "word") in names and ("fabricated.", "chars") in names
    assert estimator.explain(text, top=3) == bundled.explain(text, top=3)
    assert why.to_dict()["features"][0]["contribution"] == why.features[0][2]
    assert "intercept" in str(why)


@pytest.mark.parametrize("kwargs, error", [({"top": -1}, ValueError), ({"label": "maybe"}, ValueError), ({"text": None}, TypeError)])
def test_explain_refuses_bad_arguments(bundled, kwargs, error):
    kwargs = {"text": "The claims are false.", **kwargs}
    with pytest.raises(error):
        bundled.explain(kwargs.pop("text"), **kwargs)


def test_n_jobs_gives_identical_results_for_file_and_in_memory_models(bundled, tiny_model):
    texts = list(stance.load_corpus()["text"])[:4500] + ["", "   "]
    expected = bundled.predict_proba(texts)
    np.testing.assert_array_equal(bundled.predict_proba(texts, n_jobs=2), expected)
    assert stance.predict(texts, n_jobs=2) == bundled.predict(texts)
    in_memory = tiny_model.to_serving()  # no file: sent to the workers
    np.testing.assert_array_equal(in_memory.predict_proba(texts, n_jobs=2), in_memory.predict_proba(texts))
    with pytest.raises(TypeError, match="n_jobs needs a ServingModel"):
        stance.predict(texts, model=tiny_model, n_jobs=2)


def _rewrite_header(path, out, change):
    """Copy a serving file, changing its header (and arrays) with ``change``."""
    import json

    with np.load(path, allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    header = json.loads(str(arrays["header"]))
    change(header, arrays)
    arrays["header"] = np.array(json.dumps(header))
    np.savez_compressed(out, **arrays)
    return out


def test_version_1_files_still_load(tmp_path, tiny_model):
    """Version 1 stored vocabularies as NumPy string arrays; such files keep working."""
    serving = tiny_model.to_serving()
    path = tmp_path / "v2.npz"
    with open(path, "wb") as fh:
        serving.write(fh)

    def to_version_1(header, arrays):
        header["format_version"] = 1
        del header["vocab_separators"]
        for k, block in enumerate(serving._blocks):
            arrays[f"vocab_{k}"] = np.array(block.terms(), dtype=str)

    old = ServingModel.load(_rewrite_header(path, tmp_path / "v1.npz", to_version_1))
    texts = ["The embassy rejected the claims.", "Spies! spies?", "unseen words only"]
    np.testing.assert_array_equal(old.predict_proba(texts), serving.predict_proba(texts))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda h, a: h.update(format_version=3), "serving format version 3"),
        (lambda h, a: a.update(vocab_0=np.concatenate([a["vocab_0"], np.frombuffer(b"\nextra", np.uint8)])), "damaged"),
        (lambda h, a: a.update(vocab_0=np.array([0.5, 1.5])), "damaged"),
        (lambda h, a: a.update(vocab_0=np.frombuffer(b"\xff\xfe", dtype=np.uint8)), "damaged"),
        (lambda h, a: h.update(vocab_separators=[]), "damaged"),
        (lambda h, a: h.update(vocab_separators=None), "damaged"),
        (lambda h, a: a.pop("idf_0"), "damaged"),
    ],
)
def test_damaged_or_newer_vocabularies_are_refused(tmp_path, tiny_model, change, message):
    path = tmp_path / "m.npz"
    with open(path, "wb") as fh:
        tiny_model.to_serving().write(fh)
    with pytest.raises(stance.ModelFileError, match=message):
        ServingModel.load(_rewrite_header(path, tmp_path / "bad.npz", change))


def test_vocabularies_with_newlines_and_surrogates_survive_a_round_trip(tmp_path):
    """Raw char n-grams can hold a newline or a lone surrogate: the file
    picks a separator no term contains and encodes surrogates losslessly."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    texts = ["a\nb spy", "deny \ud800 x", "a\x00b warn", "plain other"] * 3
    labels = ["accuse", "deny", "warn", "other"] * 3
    pipeline = Pipeline([
        ("features", TfidfVectorizer(analyzer="char", ngram_range=(1, 3))),
        ("clf", LogisticRegression(max_iter=1000)),
    ]).fit(texts, labels)
    serving = ServingModel.from_pipeline(pipeline)
    path = tmp_path / "odd.npz"
    with open(path, "wb") as fh:
        serving.write(fh)
    again = ServingModel.load(path)
    assert again._blocks[0].terms() == serving._blocks[0].terms()
    np.testing.assert_allclose(again.predict_proba(texts), pipeline.predict_proba(texts), rtol=0, atol=1e-12)


def test_coefficients_and_feature_names_match_the_pipeline(tiny_model):
    serving = tiny_model.to_serving()
    clf = tiny_model.pipeline_.steps[-1][1]
    np.testing.assert_array_equal(serving.coef_, clf.coef_)
    np.testing.assert_array_equal(serving.intercept_, clf.intercept_)
    expected = tiny_model.pipeline_.steps[-2][1].get_feature_names_out()
    names = serving.get_feature_names_out()
    assert len(names) == serving.coef_.shape[1]
    # FeatureUnion names blocks by their step name; the serving form by analyzer.
    assert [n.split("__", 1)[1] for n in names] == [n.split("__", 1)[1] for n in expected]
    with pytest.raises(ValueError, match="read-only"):
        serving.coef_[0, 0] = 1.0
