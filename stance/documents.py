"""Whole documents: split into sentences with offsets, and label each one.

Briefing transcripts and news stories mix acts sentence by sentence (a
question, an accusation quoted, the spokesperson's denial, a scheduling
remark), so a document is labelled one sentence at a time. The splitter is a
small rule-based one, tuned for official English prose:

- a sentence ends at ``.``, ``!``, ``?`` or ``…`` (with any closing quotes or
  brackets) followed by whitespace and a word that does not start in lower
  case;
- titles and common abbreviations (``Mr.``, ``Dr.``, ``Gen.``, ``Jan.``,
  ``Inc.``, ``No. 3``, ``Art. 5``), initials (``J. Smith``) and dotted
  acronyms (``U.S.``, ``e.g.``, ``a.m.``) do not end a sentence, so a
  sentence that ends with a dotted acronym is joined to the next one;
- a quotation stays whole: nothing inside double quotes ends a sentence, so
  ``"They lied. We will respond," he said.`` is one sentence;
- a blank line always ends a sentence (and closes any open quotation); a
  single line break is ordinary whitespace.

Offsets are Python string indices, so ``document[start:end] == text``.
"""

from __future__ import annotations

import re

__all__ = ["Sentence", "split_sentences", "tag"]

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_CANDIDATE = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019\u00bb)\]]*(?=\s|$)")
_LAST_TOKEN = re.compile(r"(\S+)$")
_OPENERS = "\"'\u201c\u2018\u00ab(["

# Abbreviations that never end a sentence (compared in lower case, no dot).
_ABBREVIATIONS = frozenset(
    """mr mrs ms messrs dr prof sr jr st mt gen col lt maj capt cmdr adm sgt cpl
    rep reps sen gov pres amb hon rev fr dept govt inc ltd co corp bros jan feb
    mar apr jun jul aug sep sept oct nov dec vs etc approx ca cf al""".split()
)
# Abbreviations that only precede a number ("No. 3"), so "The answer is no."
# still ends a sentence.
_NUMBERED = frozenset("no nos art arts sec para paras fig vol p pp ch".split())


class Sentence(tuple):
    """One sentence of a document: ``(start, end, text)``."""

    __slots__ = ()

    def __new__(cls, start, end, text):
        return super().__new__(cls, (start, end, text))

    start = property(lambda self: self[0], doc="Offset of the first character.")
    end = property(lambda self: self[1], doc="Offset just past the last character.")
    text = property(lambda self: self[2], doc="The sentence, ``document[start:end]``.")

    def __repr__(self):
        return f"Sentence(start={self.start}, end={self.end}, text={self.text!r})"


def _check_document(document):
    if not isinstance(document, str):
        raise TypeError(
            f"document must be a str, not {type(document).__name__}"
            + ("; decode bytes first, e.g. data.decode('utf-8')" if isinstance(document, (bytes, bytearray)) else "")
        )


def _quote_depth(document, start, end, depth):
    """Quotation depth after reading ``document[start:end]``."""
    for char in document[start:end]:
        if char == "\u201c":
            depth += 1
        elif char == "\u201d":
            depth = max(depth - 1, 0)
        elif char == '"':
            depth = depth - 1 if depth else 1
    return depth


def _ends_sentence(document, match, stop):
    """Whether the punctuation ``match`` ends a sentence."""
    following = document[match.end() : stop].lstrip()
    if not following:
        return True
    if following[0].islower():
        return False
    mark = match.group().rstrip(_OPENERS + "\u201d\u2019\u00bb")
    if mark != ".":
        return True
    token = _LAST_TOKEN.search(document, 0, match.start())
    word = token.group(1).lstrip(_OPENERS) if token else ""
    lowered = word.lower()
    if len(word) == 1 and word.isalpha():
        return False  # an initial, "J. Smith"
    if "." in word and all(len(part) <= 2 and part.isalpha() for part in word.split(".")):
        return False  # a dotted acronym, "U.S." or "e.g."
    if lowered in _ABBREVIATIONS:
        return False
    if lowered in _NUMBERED and following[0].isdigit():
        return False
    return True


def split_sentences(document):
    """Split a document into sentences, keeping their character offsets.

    Parameters
    ----------
    document : str
        Any text: a briefing transcript, a news story, a statement.

    Returns
    -------
    list of Sentence
        ``(start, end, text)`` tuples in document order, with
        ``document[start:end] == text``; surrounding whitespace is not part
        of a sentence, and blank stretches give no sentence.

    Raises
    ------
    TypeError
        If ``document`` is not a string.

    Examples
    --------
    >>> from stance.documents import split_sentences
    >>> [s.text for s in split_sentences('Mr. Li said: "It is false. All of it." He left.')]
    ['Mr. Li said: "It is false. All of it."', 'He left.']
    """
    _check_document(document)
    spans = []
    paragraph_start = 0
    breaks = [(m.start(), m.end()) for m in _PARAGRAPH_BREAK.finditer(document)] + [(len(document), len(document))]
    for paragraph_end, next_start in breaks:
        start, depth, read = paragraph_start, 0, paragraph_start
        for match in _CANDIDATE.finditer(document, paragraph_start, paragraph_end):
            depth = _quote_depth(document, read, match.end(), depth)
            read = match.end()
            if depth == 0 and _ends_sentence(document, match, paragraph_end):
                spans.append((start, match.end()))
                start = match.end()
        spans.append((start, paragraph_end))
        paragraph_start = next_start
    sentences = []
    for start, end in spans:
        text = document[start:end]
        stripped = text.strip()
        if stripped:
            start += len(text) - len(text.lstrip())
            sentences.append(Sentence(start, start + len(stripped), stripped))
    return sentences


def tag(document, *, model=None, min_confidence=None):
    """Label every sentence of a document.

    Parameters
    ----------
    document : str
        The document.
    model : ServingModel or StanceClassifier, optional
        Default: the bundled model.
    min_confidence : float, optional
        Below this probability a sentence is labelled ``"uncertain"``.

    Returns
    -------
    list of dict
        One dict per sentence with ``start``, ``end``, ``text``, ``stance``
        and one ``p_<label>`` per label.

    Raises
    ------
    TypeError
        If ``document`` is not a string.

    Examples
    --------
    >>> import stance
    >>> rows = stance.tag("He was arrested on Monday. The charges are fabricated.")
    >>> [(r["text"], r["stance"]) for r in rows]
    [('He was arrested on Monday.', 'other'), ('The charges are fabricated.', 'deny')]
    """
    from ._api import label_rows
    from .persistence import load

    sentences = split_sentences(document)  # checks that document is a str
    rows = label_rows([s.text for s in sentences], model=model or load(), min_confidence=min_confidence)
    return [{"start": s.start, "end": s.end, "text": s.text, **row} for s, row in zip(sentences, rows)]
