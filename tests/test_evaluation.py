"""Held-out evaluation helpers (stance.evaluation)."""

import pandas as pd
import pytest

import stance
from stance.evaluation import cross_validate, learning_curve, metrics, sweep


def test_metrics_by_hand():
    result = metrics(["deny", "deny", "warn", "other"], ["deny", "warn", "warn", "other"])
    assert result["accuracy"] == 0.75
    assert result["per_label"]["deny"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert result["per_label"]["warn"]["precision"] == 0.5
    # accuse has no gold statements, so it does not count in the macro average
    assert result["macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 1.0) / 3)
    assert result["confusion"][1] == [0, 1, 1, 0]  # deny row: one right, one called warn


def test_cross_validation_keeps_groups_apart(tiny_frame, monkeypatch):
    seen = []
    original = stance.StanceClassifier.fit

    def spy(self, X, y):
        seen.append(set(X))
        return original(self, X, y)

    monkeypatch.setattr(stance.StanceClassifier, "fit", spy)
    corpus = stance.load_corpus(tiny_frame)
    result = cross_validate(stance.StanceClassifier(), corpus, n_splits=5)
    group_of = dict(zip(corpus["text"], corpus["group"]))
    for train_texts in seen:
        held_out_groups = set(corpus["group"]) - {group_of[t] for t in train_texts}
        assert all(group_of[t] not in held_out_groups for t in train_texts)
    assert len(result["predictions"]) == 20
    assert result["proba"].shape == (20, 4)


def test_sweep_ranks_every_combination(tiny_frame):
    rows = sweep(stance.load_corpus(tiny_frame), {"C": [1.0, 10.0], "char_ngram_range": [None]}, n_splits=4)
    assert sorted(r["C"] for r in rows) == [1.0, 10.0]
    assert rows[0]["macro_f1"] >= rows[1]["macro_f1"]


def test_learning_curve_grows_nested_training_sets(tiny_frame):
    external = pd.DataFrame({"text": ["We deny it.", "They spied."], "label": ["deny", "accuse"]})
    rows = learning_curve(stance.load_corpus(tiny_frame), fractions=(0.5, 1.0), external=external)
    assert [r["fraction"] for r in rows] == [0.5, 1.0]
    assert rows[0]["n_statements"] < rows[1]["n_statements"] <= 16
    assert all(0.0 <= r["heldout_macro_f1"] <= 1.0 and 0.0 <= r["external_macro_f1"] <= 1.0 for r in rows)


def test_bootstrap_intervals_contain_the_estimate_and_narrow_with_more_data():
    from stance.evaluation import bootstrap_ci

    y_true = ["deny", "accuse", "warn", "other"] * 25
    y_pred = list(y_true)
    y_pred[:10] = ["other"] * 10
    small = bootstrap_ci(y_true, y_pred, n_boot=300)
    large = bootstrap_ci(y_true * 10, y_pred * 10, n_boot=300)
    assert small.loc["macro", "f1"] == pytest.approx(metrics(y_true, y_pred)["macro_f1"])
    for table in (small, large):
        assert (table["f1_low"] <= table["f1"] + 1e-12).all() and (table["f1"] <= table["f1_high"] + 1e-12).all()
    width = lambda t: t.loc["macro", "f1_high"] - t.loc["macro", "f1_low"]  # noqa: E731
    assert width(large) < width(small)
    assert bootstrap_ci(y_true, y_pred, n_boot=50).equals(bootstrap_ci(y_true, y_pred, n_boot=50))


def test_calibration_of_perfect_and_overconfident_probabilities():
    import numpy as np

    from stance.evaluation import calibration

    truth = ["accuse", "deny", "warn", "other"]
    perfect = calibration(truth, np.eye(4))
    assert perfect["brier"] == 0.0 and perfect["ece"] == 0.0
    wrong = calibration(truth, np.roll(np.eye(4), 1, axis=1))  # certain and always wrong
    assert wrong["brier"] == 2.0 and wrong["ece"] == 1.0
    assert wrong["bins"]["count"].sum() == 4


def test_lexicon_and_baselines_on_shared_folds(tiny_frame):
    from stance.evaluation import _folds, baselines, lexicon_predict

    assert lexicon_predict(["These claims are groundless.", "He was charged.", "Be vigilant.", "Talks resume."]) == [
        "deny", "accuse", "warn", "other"]
    corpus = stance.load_corpus(tiny_frame)
    table = baselines(corpus, folds=_folds(corpus, 4, 0), params={"C": 10.0})
    assert list(table.index) == ["majority class", "keyword lexicon", "word n-grams only", "character n-grams only",
                                 "shipped configuration"]
    assert table.loc["majority class", "accuracy"] <= 0.25 + 1e-9
    assert ((0 <= table["macro_f1"]) & (table["macro_f1"] <= 1)).all()


def test_top_features_and_worst_errors(tiny_model, tiny_frame):
    import numpy as np

    from stance.evaluation import top_features, worst_errors

    table = top_features(tiny_model, n=3)
    assert list(table.columns) == list(tiny_model.classes_) and len(table) == 3
    corpus = stance.load_corpus(tiny_frame)
    proba = np.tile([0.7, 0.1, 0.1, 0.1], (20, 1))  # always "accuse" with 0.7
    errors = worst_errors(corpus, proba, n=100)
    assert len(errors) == 15 and set(errors["predicted"]) == {"accuse"} and (errors["p_label"] == 0.1).all()
