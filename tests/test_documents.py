"""Sentence splitting and document tagging (stance.documents)."""

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

import stance
from stance.documents import split_sentences

# A briefing-style document written for this test, in the manner of the seed
# story: an accusation, a denial with a quotation, a lawyer's reply, procedure.
DOCUMENT = """\
BEIJING, Nov. 3 -- The Ministry of State Security said on Monday that a consultant surnamed Huang had passed 14 classified files to MI6 between 2019 and 2023.

Asked about the case, spokesperson Mr. Lin said: "The British side should stop its smears. It has no basis whatsoever." He did not take further questions.
The consultant's lawyer, Dr. A. Patel of London, said her client "has never worked for any intelligence service" and will prove it in court... A hearing is set for Jan. 9 at 10 a.m. in courtroom No. 3.
Is this really how the U.S. and the U.K. want to be seen? Officials declined to comment!
"""

EXPECTED = [
    "BEIJING, Nov. 3 -- The Ministry of State Security said on Monday that a consultant surnamed Huang had passed 14 classified files to MI6 between 2019 and 2023.",
    'Asked about the case, spokesperson Mr. Lin said: "The British side should stop its smears. It has no basis whatsoever."',
    "He did not take further questions.",
    'The consultant\'s lawyer, Dr. A. Patel of London, said her client "has never worked for any intelligence service" and will prove it in court...',
    "A hearing is set for Jan. 9 at 10 a.m. in courtroom No. 3.",
    "Is this really how the U.S. and the U.K. want to be seen?",
    "Officials declined to comment!",
]


def test_splits_a_briefing_into_sentences_with_exact_offsets():
    sentences = split_sentences(DOCUMENT)
    assert [s.text for s in sentences] == EXPECTED
    for s in sentences:
        assert DOCUMENT[s.start : s.end] == s.text


@pytest.mark.parametrize(
    "document, expected",
    [
        ("The answer is no. We never did it.", ["The answer is no.", "We never did it."]),
        ("See No. 5 on the list. Then stop.", ["See No. 5 on the list.", "Then stop."]),
        ("“It is false. All of it,” she said. Next.", ["“It is false. All of it,” she said.", "Next."]),
        ("Really? yes, really.", ["Really? yes, really."]),
        ("One line\nwrapped here. Two.", ["One line\nwrapped here.", "Two."]),
        ('An unclosed "quote. Then\n\nA new paragraph.', ['An unclosed "quote. Then', "A new paragraph."]),
        ("", []),
        ("   \n\n  ", []),
    ],
)
def test_splitting_rules(document, expected):
    assert [s.text for s in split_sentences(document)] == expected


@given(st.text(max_size=400))
@settings(max_examples=200, deadline=None)
def test_sentences_are_ordered_stripped_slices_of_the_document(document):
    previous_end = 0
    for s in split_sentences(document):
        assert document[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
        assert s.start >= previous_end
        previous_end = s.end
    # Nothing but whitespace is left out.
    covered = "".join(s.text for s in split_sentences(document))
    assert "".join(document.split()) == "".join(covered.split())


def test_tag_labels_each_sentence(bundled):
    rows = stance.tag(DOCUMENT, model=bundled)
    assert [r["text"] for r in rows] == EXPECTED
    assert rows[0]["stance"] == "accuse"
    assert rows[1]["stance"] == "deny"
    for row in rows:
        assert DOCUMENT[row["start"] : row["end"]] == row["text"]
        assert abs(sum(v for k, v in row.items() if k.startswith("p_")) - 1) < 1e-9


def test_tag_min_confidence_marks_doubtful_sentences(bundled):
    rows = stance.tag(DOCUMENT, model=bundled, min_confidence=1.0)
    assert {r["stance"] for r in rows} == {stance.UNCERTAIN}


@pytest.mark.parametrize("bad", [None, b"bytes", 3, ["a list"]])
def test_tag_refuses_non_strings(bad):
    with pytest.raises(TypeError, match="document must be a str"):
        stance.tag(bad)
