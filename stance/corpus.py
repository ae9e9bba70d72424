"""Loading and validating labelled corpora of statements.

A corpus is a table with one statement per row. The columns ``id``, ``text``
and ``label`` are required; ``group`` names the invented event a statement was
written about, so that grouped cross-validation never puts statements about
one event on both sides of a split (a corpus without it treats every
statement as its own group). The bundled corpus also carries ``speaker``,
``speaker_type``, ``country``, ``topic``, ``register`` and ``hard``.

pandas is imported inside the functions that need it, so that importing
:mod:`stance` to predict stays light.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import io
import os
from dataclasses import dataclass

from .exceptions import CorpusError

__all__ = [
    "LABELS",
    "REQUIRED_COLUMNS",
    "CORPUS_COLUMNS",
    "Problem",
    "load_corpus",
    "validate_corpus",
    "corpus_sha256",
    "find_near_duplicates",
    "bundled_corpus_path",
]

#: The four labels of the codebook, in the order used everywhere in stance.
LABELS = ("accuse", "deny", "warn", "other")

#: Columns every corpus must have.
REQUIRED_COLUMNS = ("id", "text", "label")

#: The full schema of the bundled corpus (``datasets/statements.csv``).
CORPUS_COLUMNS = (
    "id",
    "text",
    "label",
    "speaker",
    "speaker_type",
    "country",
    "topic",
    "register",
    "group",
    "hard",
)

#: Statements at least this similar (cosine of character 3-5-gram TF-IDF) are
#: near-copies: they inflate cross-validated scores and teach nothing new.
NEAR_DUPLICATE_THRESHOLD = 0.85


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a corpus.

    ``row`` is the 1-based data row (the header is not counted; in a CSV file
    without line breaks inside fields, data row ``r`` is on line ``r + 1``),
    or ``None`` for a problem with the whole table.
    """

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


def bundled_corpus_path():
    """Return the path of the corpus shipped with the package.

    Returns
    -------
    importlib.resources.abc.Traversable
        ``statements.csv`` inside the installed ``stance.datasets`` package.
    """
    return importlib.resources.files("stance.datasets").joinpath("statements.csv")


def _read_csv(source, name):
    import pandas as pd

    try:
        return pd.read_csv(
            source,
            dtype=str,
            keep_default_na=False,  # "NA" and "" are text here, not missing values
            encoding="utf-8",
        )
    except UnicodeDecodeError as exc:
        raise CorpusError(
            [Problem(None, None, f"{name} is not valid UTF-8 (byte {exc.start}: {exc.reason})")],
            source=name,
        ) from None
    except pd.errors.EmptyDataError:
        raise CorpusError([Problem(None, None, f"{name} is empty")], source=name) from None
    except pd.errors.ParserError as exc:
        raise CorpusError([Problem(None, None, f"{name} is not a readable CSV file: {exc}")], source=name) from None


def load_corpus(data=None, *, schema="minimal"):
    """Load and validate a labelled corpus.

    Parameters
    ----------
    data : str, path-like, pandas.DataFrame or None, default=None
        A CSV file (UTF-8, with a header line) or a DataFrame. ``None`` loads
        the corpus bundled with the package.
    schema : {"minimal", "full"}, default="minimal"
        ``"minimal"`` requires :data:`REQUIRED_COLUMNS`; ``"full"`` requires
        every column of :data:`CORPUS_COLUMNS`, as the bundled corpus has.

    Returns
    -------
    pandas.DataFrame
        The corpus with a fresh 0-based index and a ``group`` column (filled
        with ``id`` where the input has none).

    Raises
    ------
    CorpusError
        If the file cannot be read or any row breaks a rule; the error lists
        every problem with its row number and column.
    """
    import pandas as pd

    if data is None:
        with bundled_corpus_path().open("rb") as fh:
            frame = _read_csv(io.BytesIO(fh.read()), "bundled corpus")
        source = "bundled corpus"
    elif isinstance(data, pd.DataFrame):
        frame = data.copy()
        source = "DataFrame"
    elif isinstance(data, (str, os.PathLike)):
        source = os.fspath(data)
        if not os.path.isfile(source):
            raise CorpusError([Problem(None, None, f"no such file: {source}")], source=source)
        frame = _read_csv(source, source)
    else:
        raise TypeError(f"data must be a CSV path, a pandas DataFrame or None, not {type(data).__name__}")

    problems = validate_corpus(frame, schema=schema)
    if problems:
        raise CorpusError(problems, source=source)
    frame = frame.reset_index(drop=True)
    if "group" not in frame.columns:
        frame["group"] = frame["id"]
    return frame


def validate_corpus(frame, *, schema="minimal", near_duplicates=False):
    """List what is wrong with a corpus, without raising.

    Parameters
    ----------
    frame : pandas.DataFrame
        The corpus as read from disk (all columns as strings) or built in code.
    schema : {"minimal", "full"}, default="minimal"
        Which columns are required; see :func:`load_corpus`.
    near_duplicates : bool, default=False
        Also report pairs of statements whose character 3-5-gram TF-IDF
        cosine similarity is at least 0.85. This is quadratic in the number
        of statements, so it is off unless asked for.

    Returns
    -------
    list of Problem
        Empty when the corpus is valid.
    """
    if schema not in ("minimal", "full"):
        raise ValueError(f"schema must be 'minimal' or 'full', not {schema!r}")
    required = REQUIRED_COLUMNS if schema == "minimal" else CORPUS_COLUMNS
    columns = [str(c) for c in frame.columns]
    missing = [c for c in required if c not in columns]
    if missing:
        return [
            Problem(None, c, f"required column is missing (found: {', '.join(columns) or 'none'})")
            for c in missing
        ]
    if len(frame) == 0:
        return [Problem(None, None, "the corpus has no rows")]

    problems = []
    seen_ids = {}
    for pos, (ident, text, label) in enumerate(zip(frame["id"], frame["text"], frame["label"])):
        row = pos + 1
        if not isinstance(ident, str) or not ident.strip():
            problems.append(Problem(row, "id", "id is empty or not text"))
        elif ident in seen_ids:
            problems.append(Problem(row, "id", f"duplicate id {ident!r} (first used in row {seen_ids[ident]})"))
        else:
            seen_ids[ident] = row
        if not isinstance(text, str):
            problems.append(Problem(row, "text", f"text must be a string, not {type(text).__name__}"))
        elif not text.strip():
            problems.append(Problem(row, "text", "text is empty"))
        if label not in LABELS:
            problems.append(
                Problem(row, "label", f"unknown label {label!r}; expected one of {', '.join(LABELS)}")
            )
    if "group" in columns:
        for pos, group in enumerate(frame["group"]):
            if not isinstance(group, str) or not group.strip():
                problems.append(Problem(pos + 1, "group", "group is empty or not text"))
    if schema == "full":
        for pos, hard in enumerate(frame["hard"]):
            if str(hard) not in ("0", "1"):
                problems.append(Problem(pos + 1, "hard", f"hard must be 0 or 1, not {hard!r}"))
        for column in ("speaker", "speaker_type", "country", "topic", "register"):
            for pos, value in enumerate(frame[column]):
                if not isinstance(value, str) or not value.strip():
                    problems.append(Problem(pos + 1, column, f"{column} is empty"))
    if near_duplicates and not problems:
        ids = list(frame["id"])
        for i, j, sim in find_near_duplicates(list(frame["text"])):
            problems.append(
                Problem(j + 1, "text", f"near-copy of row {i + 1} (id {ids[i]!r}): similarity {sim:.3f}")
            )
    return problems


def find_near_duplicates(texts, threshold=NEAR_DUPLICATE_THRESHOLD, *, others=None, chunk_size=1000):
    """Find pairs of near-identical statements.

    Parameters
    ----------
    texts : list of str
        The statements.
    threshold : float, default=0.85
        Pairs with a cosine similarity of character 3-5-gram TF-IDF vectors
        at or above this are reported.
    others : list of str, optional
        If given, compare ``texts`` with these instead of with each other
        (e.g. a test set against a training corpus).
    chunk_size : int, default=1000
        Rows compared at a time, which bounds memory on large corpora.

    Returns
    -------
    list of tuple (int, int, float)
        ``(i, j, similarity)``: 0-based positions in ``texts`` (and ``j`` in
        ``others`` when given, else ``i < j`` in ``texts``).
    """
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    everything = list(texts) + list(others or [])
    matrix = TfidfVectorizer(analyzer="char", ngram_range=(3, 5), lowercase=True).fit_transform(everything)
    # An n-gram found in one statement only adds nothing to any pair's dot
    # product (rows are already normalised), so dropping it changes no
    # similarity and makes the products much cheaper.
    shared = np.flatnonzero(np.bincount(matrix.indices, minlength=matrix.shape[1]) > 1)
    matrix = matrix[:, shared].tocsr()
    n = len(texts)
    left, right = (matrix[:n], matrix[n:]) if others is not None else (matrix, matrix)
    pairs = []
    for start in range(0, left.shape[0], chunk_size):
        block = (left[start : start + chunk_size] @ right.T).tocoo()
        keep = block.data >= threshold
        for i, j, sim in zip(block.row[keep] + start, block.col[keep], block.data[keep]):
            if others is not None or i < j:
                pairs.append((int(i), int(j), float(sim)))
    return sorted(pairs)


def corpus_sha256(frame):
    """Fingerprint a corpus by its content.

    The hash covers the ``id``, ``text``, ``label`` and ``group`` columns, in
    row order, serialised as UTF-8 CSV with ``\\n`` line ends; it does not
    depend on how the file was quoted or which other columns it has.

    Parameters
    ----------
    frame : pandas.DataFrame
        A corpus as returned by :func:`load_corpus`.

    Returns
    -------
    str
        The hexadecimal SHA-256 digest.
    """
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "text", "label", "group"])
    writer.writerows(zip(frame["id"], frame["text"], frame["label"], frame["group"]))
    return hashlib.sha256(buffer.getvalue().encode("utf-8")).hexdigest()
