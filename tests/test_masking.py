"""Masking actors, numbers and dates (stance.masking)."""

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stance.masking import DEFAULT_SPEC, Masker


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Moscow said on Tuesday that 12 British diplomats were spies.", "_capital_ said on _weekday_ that 0 _national_ diplomats were spies."),
        ("North Korea and South Korea met in June, not May.", "_country_ and _country_ met in _month_, not May."),
        ("The U.S. and the UK accused the GRU.", "The _country_ and the _country_ accused the _agency_."),
        ("MI6 recruited 2 officers; MI5 caught them.", "_agency_ recruited 0 officers; _agency_ caught them."),
        ("In Indiana, Chinatown and Frenchmen are not countries.", "In Indiana, Chinatown and Frenchmen are not countries."),
        ("Case No. 2023-114 opens Sept. 3.", "Case No. 0-0 opens _month_ 0."),
        ("us and may and china stay", "us and may and china stay"),
        ("The United States of America and the United States.", "The _country_ and the _country_."),
        ("Niger, Nigeria and Nigerien troops", "_country_, _country_ and _national_ troops"),
    ],
)
def test_masks_whole_listed_words_case_sensitively(text, expected):
    assert Masker()(text) == expected


def test_custom_spec_and_round_trips():
    masker = Masker({"version": 1, "numbers": None, "groups": [{"replacement": "_x_", "terms": ["Ruritania"]}]})
    assert masker("Ruritania has 3 ports.") == "_x_ has 3 ports."
    assert pickle.loads(pickle.dumps(masker))("Ruritania") == "_x_"
    assert masker.transform(["Ruritania", ""]) == ["_x_", ""]
    assert masker.fit(["anything"]) is masker and masker.get_params() == {"spec": masker.spec}


@pytest.mark.parametrize("spec", [{"version": 2, "groups": []}, "not a dict", {"groups": []}])
def test_unknown_spec_versions_are_refused(spec):
    with pytest.raises(ValueError, match="unsupported masking spec"):
        Masker(spec)


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_masking_is_idempotent_and_never_fails(text):
    masker = Masker(DEFAULT_SPEC)
    once = masker(text)
    assert masker(once) == once


def _longest_first(spec):
    """The obvious matcher the prefix-tree pattern must agree with: every
    term, longest first, as a flat alternation."""
    import re

    replacements = {}
    for group in spec["groups"]:
        for term in group["terms"]:
            replacements.setdefault(term, group["replacement"])
    alternation = "|".join(re.escape(t) for t in sorted(replacements, key=lambda t: (-len(t), t)))
    pattern = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")

    def mask(text):
        text = pattern.sub(lambda m: replacements[m.group()], text)
        return re.sub(r"\d+", spec["numbers"], text)

    return mask


_TERMS = sorted({t for g in DEFAULT_SPEC["groups"] for t in g["terms"]})
_PIECES = st.sampled_from(
    _TERMS + ["United States of", "Niger", "Nigeria's", "USA1", "U.S.A.", "North", "the", " ", ".", "-", "7", "é", "_"]
)


@given(st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=30).map("".join))
@settings(max_examples=300, deadline=None)
def test_prefix_tree_pattern_matches_like_trying_the_longest_term_first(text):
    assert Masker(DEFAULT_SPEC)(text) == _longest_first(DEFAULT_SPEC)(text)
