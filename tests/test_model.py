"""The estimator and training (stance.model)."""

import numpy as np
import pytest
from sklearn.base import clone

import stance
from stance import StanceClassifier
from stance.model import DEFAULT_PARAMS


def test_fit_predict_and_proba_shapes(tiny_frame):
    model = StanceClassifier().fit(list(tiny_frame["text"]), list(tiny_frame["label"]))
    assert sorted(model.classes_) == sorted(stance.LABELS)
    proba = model.predict_proba(["The claims are baseless.", "Talks resume in June."])
    assert proba.shape == (2, 4)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert model.predict(list(tiny_frame["text"])) == list(tiny_frame["label"])


def test_params_follow_scikit_learn_conventions():
    model = StanceClassifier(C=3.0, char_ngram_range=None)
    assert model.get_params()["C"] == 3.0
    assert clone(model).get_params() == model.get_params()
    assert model.set_params(C=1.0) is model and model.C == 1.0
    with pytest.raises(ValueError, match="invalid parameter 'c'"):
        model.set_params(c=1.0)
    assert not hasattr(model, "pipeline_")  # __init__ stores parameters only


def test_unfitted_model_says_so():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="not fitted"):
        StanceClassifier().predict(["x"])


def test_fit_rejects_mismatched_or_single_class_labels(tiny_frame):
    texts = list(tiny_frame["text"])
    with pytest.raises(ValueError, match="20 statements but y has 3 labels"):
        StanceClassifier().fit(texts, ["deny"] * 3)
    with pytest.raises(ValueError, match="at least two different labels"):
        StanceClassifier().fit(texts, ["deny"] * len(texts))


def test_works_inside_scikit_learn_tools(tiny_frame):
    from sklearn.model_selection import GroupKFold, cross_val_score

    scores = cross_val_score(
        StanceClassifier(),
        list(tiny_frame["text"]),
        list(tiny_frame["label"]),
        groups=list(tiny_frame["group"]),
        cv=GroupKFold(n_splits=5),
    )
    assert scores.shape == (5,) and np.all((0 <= scores) & (scores <= 1))


def test_train_records_provenance_and_heldout_metrics(tiny_frame):
    model = stance.train(tiny_frame, cv=5, C=5.0)
    meta = model.metadata_
    assert meta["params"]["C"] == 5.0
    assert meta["corpus_size"] == 20 and meta["corpus_groups"] == 5
    assert meta["corpus_sha256"] == stance.corpus.corpus_sha256(stance.load_corpus(tiny_frame))
    assert meta["labels"] == [str(c) for c in model.classes_]
    metrics = meta["heldout_metrics"]
    assert set(metrics["per_label"]) == set(stance.LABELS)
    assert len(metrics["fold_macro_f1"]) == 5
    assert sum(map(sum, metrics["confusion"])) == 20


def test_same_corpus_and_seed_give_identical_probabilities(tiny_frame):
    texts = ["They stole our secrets.", "Nonsense, we did nothing.", ""]
    first = stance.train(tiny_frame, cv=3, random_state=7)
    second = stance.train(tiny_frame, cv=3, random_state=7)
    np.testing.assert_array_equal(first.predict_proba(texts), second.predict_proba(texts))
    assert first.metadata_["heldout_metrics"] == second.metadata_["heldout_metrics"]


def test_source_date_epoch_fixes_the_training_date(tiny_frame, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert stance.train(tiny_frame, cv=0).metadata_["trained_at"] == "2023-11-14T22:13:20+00:00"


def test_bundled_model_was_trained_with_the_default_parameters():
    card = stance.read_card()
    defaults = {k: list(v) if isinstance(v, tuple) else v for k, v in DEFAULT_PARAMS.items()}
    assert card["params"] == defaults
