"""Behavioural tests in the manner of CheckList (Ribeiro et al., 2020).

They run on statements the model did not learn from: the written challenge
set (``datasets/challenge.csv``) for the bundled model, and one held-out
grouped fold of the corpus for a model fitted on the other folds.

Not here yet: invariance to swapped names, numbers and dates. Measured with
the corpus of 4,828 statements, swapping them changed the label of 3-5% of
statements, above the 2% the project aims for.
"""

import importlib.resources
import numpy as np
import pandas as pd
import pytest

import stance
from stance.corpus import find_near_duplicates
from stance.evaluation import _folds


@pytest.fixture(scope="module")
def challenge():
    with importlib.resources.files("stance.datasets").joinpath("challenge.csv").open("rb") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def heldout():
    """(model fitted on four grouped folds, 600 statements of the fifth)."""
    corpus = stance.load_corpus()
    train_index, test_index = _folds(corpus, 5, 0)[0]
    train = corpus.iloc[train_index]
    model = stance.StanceClassifier().fit(list(train["text"]), list(train["label"])).to_serving()
    return model, list(corpus.iloc[test_index]["text"])[:600]


def test_challenge_set_is_not_in_the_corpus(challenge):
    corpus = stance.load_corpus()
    assert find_near_duplicates(list(challenge["text"]), others=list(corpus["text"])) == []


def test_challenge_set_covers_its_phenomena(challenge):
    assert len(challenge) >= 200
    counts = challenge["phenomenon"].value_counts()
    for phenomenon in ("negation", "reported-speech", "question", "counter-accusation", "bare-demand"):
        assert counts[phenomenon] >= 20


def test_minimum_functionality_on_the_challenge_set(challenge, bundled):
    predicted = np.array(bundled.predict(list(challenge["text"])))
    correct = predicted == challenge["label"].to_numpy()
    report = (
        pd.DataFrame({"phenomenon": challenge["phenomenon"], "correct": correct})
        .groupby("phenomenon")["correct"]
        .mean()
        .round(3)
        .to_dict()
    )
    print(f"challenge accuracy {correct.mean():.3f}; by phenomenon: {report}")
    assert correct.mean() >= 0.80, report


@pytest.mark.parametrize(
    "suffix, label",
    [
        (" The allegations are groundless.", "deny"),
        (" We firmly reject these fabricated claims.", "deny"),
        (" We urge citizens to stay vigilant against this threat.", "warn"),
        (" Anyone who does this will face severe consequences.", "warn"),
    ],
)
def test_appending_a_clear_act_never_lowers_its_probability(challenge, heldout, bundled, suffix, label):
    cases = [(bundled, list(challenge["text"])), heldout]
    for model, texts in cases:
        k = list(model.classes_).index(label)
        before = model.predict_proba(texts)[:, k]
        after = model.predict_proba([t + suffix for t in texts])[:, k]
        lowered = [t for t, b, a in zip(texts, before, after) if a < b]
        assert lowered == []
