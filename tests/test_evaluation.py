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
