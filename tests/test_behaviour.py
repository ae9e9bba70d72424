"""Behavioural tests in the manner of CheckList (Ribeiro et al., 2020).

They run on statements the model did not learn from: the written challenge
set (``datasets/challenge.csv``) for the bundled model, and one held-out
grouped fold of the corpus for a model fitted on the other folds.

Invariance swaps values from lists written here, not from the model's
masking lists (``stance.masking``): some swapped-in countries, agencies and
all people's names are unknown to the masking, so the test measures how
much the model leans on actors, not only whether masking works.
"""

import importlib.resources
import random
import re

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


# Swap pools: a mix of entities the masking lists cover and ones they do not
# (Chad, Bhutan, Fiji, Honduras and their people and capitals; Interpol; any
# surname).
_POOLS = {
    "country": ["China", "Russia", "Iran", "the United States", "Britain", "France", "Japan", "India", "Chad",
                "Bhutan", "Fiji", "Honduras", "Estonia", "Brazil", "Nigeria", "Australia"],
    "nationality": ["Chinese", "Russian", "Iranian", "American", "British", "French", "Japanese", "Indian", "Chadian",
                    "Fijian", "Estonian", "Brazilian", "Nigerian", "Australian"],
    "capital": ["Beijing", "Moscow", "Tehran", "Washington", "London", "Paris", "Tokyo", "New Delhi", "Canberra",
                "Ottawa", "N'Djamena", "Suva", "Tallinn"],
    "agency": ["MI6", "MI5", "FBI", "CIA", "MSS", "GRU", "FSB", "BND", "ASIO", "CSIS", "Interpol", "DGSE"],
    "weekday": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "month": ["January", "March", "May", "June", "August", "October", "December"],
}
_FIND = {
    kind: re.compile(r"(?<!\w)(" + "|".join(sorted(map(re.escape, pool), key=len, reverse=True)) + r")(?!\w)")
    for kind, pool in _POOLS.items()
}
_PERSON = re.compile(r"\b(Mr\.|Ms\.|Mrs\.|Dr\.|surnamed|named) ([A-Z][a-z]+)\b")
_SURNAMES = ["Okafor", "Lindqvist", "Tanaka", "Moreau", "Haddad", "Kowalczyk", "Bianchi", "Osei", "Varga", "Quispe"]


def _swap(text, rng):
    """``text`` with its countries, agencies, dates, numbers and people's names swapped."""
    for kind, pattern in _FIND.items():
        text = pattern.sub(lambda m: rng.choice([v for v in _POOLS[kind] if v != m.group(1)]), text)
    text = re.sub(r"\d+", lambda m: str(rng.randrange(10 ** (len(m.group()) - 1), 10 ** len(m.group()))), text)
    return _PERSON.sub(lambda m: f"{m.group(1)} {rng.choice(_SURNAMES)}", text)


def test_swapping_actors_numbers_and_dates_rarely_changes_the_label(challenge, heldout, bundled):
    rng = random.Random(0)
    changed, total = 0, 0
    for model, texts in [(bundled, list(challenge["text"])), heldout]:
        for _ in range(3):
            pairs = [(t, _swap(t, rng)) for t in texts]
            pairs = [(a, b) for a, b in pairs if a != b]
            before, after = model.predict([a for a, _ in pairs]), model.predict([b for _, b in pairs])
            changed += sum(x != y for x, y in zip(before, after))
            total += len(pairs)
    print(f"invariance: {changed} of {total} swapped statements changed label ({changed / total:.2%})")
    assert total >= 600
    assert changed / total <= 0.02
