"""The one-line interface: ``stance.predict``, ``stance.predict_proba`` and
``stance.predict_frame``."""

from __future__ import annotations

from ._base import check_texts
from .persistence import load

__all__ = ["predict", "predict_proba", "predict_frame", "UNCERTAIN"]

#: The label given instead of the model's when its probability is under the
#: caller's ``min_confidence``.
UNCERTAIN = "uncertain"


def _as_batch(text):
    if isinstance(text, str):
        return [text], True
    return check_texts(text, name="text"), False


def predict(text, *, model=None, n_jobs=None):
    """Label one statement or a list of statements.

    Parameters
    ----------
    text : str or list of str
        A statement, or a list of statements. A blank statement (empty or
        only whitespace) is labelled ``"other"``; text longer than
        ``stance.MAX_CHARS`` characters is read up to that length.
    model : ServingModel or StanceClassifier, optional
        A model from :func:`stance.load`; default: the bundled model.
    n_jobs : int or None, default=None
        Processes sharing a large list (``-1``: every core), with results
        identical to one process; see :meth:`ServingModel.predict_proba
        <stance.ServingModel.predict_proba>`.

    Returns
    -------
    str or list of str
        ``"accuse"``, ``"deny"``, ``"warn"`` or ``"other"``: one label for a
        string, a list of labels for a list.

    Raises
    ------
    TypeError
        If ``text`` (or an item of the list) is not a string; the message
        gives the position of the bad item.

    Examples
    --------
    >>> import stance
    >>> stance.predict("The accusations are groundless.")
    'deny'
    """
    batch, single = _as_batch(text)
    labels = _call(model or load(), "predict", batch, n_jobs)
    return labels[0] if single else labels


def predict_proba(text, *, model=None, n_jobs=None):
    """Probability of each label for one statement or a list of statements.

    Parameters
    ----------
    text : str or list of str
        As for :func:`predict`.
    model : ServingModel or StanceClassifier, optional
        A model from :func:`stance.load`; default: the bundled model.
    n_jobs : int or None, default=None
        As for :func:`predict`.

    Returns
    -------
    dict or list of dict
        ``{label: probability}`` (summing to 1) for a string; a list of such
        dicts for a list.

    Examples
    --------
    >>> import stance
    >>> p = stance.predict_proba("The accusations are groundless.")
    >>> max(p, key=p.get)
    'deny'
    """
    batch, single = _as_batch(text)
    model = model or load()
    classes = [str(c) for c in model.classes_]
    rows = [dict(zip(classes, map(float, row))) for row in _call(model, "predict_proba", batch, n_jobs)]
    return rows[0] if single else rows


def _call(model, method, batch, n_jobs):
    if n_jobs in (None, 1):
        return getattr(model, method)(batch)
    if not hasattr(model, "_source"):
        raise TypeError(f"n_jobs needs a ServingModel (from stance.load()), not {type(model).__name__}")
    return getattr(model, method)(batch, n_jobs=n_jobs)


def check_min_confidence(value):
    """Return ``value`` as a float in [0, 1], or raise ``ValueError``."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ValueError(f"min_confidence must be a number between 0 and 1, not {value!r}")
    return float(value)


def label_rows(texts, *, model, min_confidence=None):
    """``{"stance": label, "p_<label>": probability, ...}`` for each text.

    The label is :data:`UNCERTAIN` when its probability is under
    ``min_confidence``.
    """
    min_confidence = check_min_confidence(min_confidence)
    classes = [str(c) for c in model.classes_]
    proba = model.predict_proba(texts)
    rows = []
    for row in proba:
        best = int(row.argmax())
        label = classes[best] if min_confidence is None or row[best] >= min_confidence else UNCERTAIN
        rows.append({"stance": label, **{f"p_{c}": float(p) for c, p in zip(classes, row)}})
    return rows


def predict_frame(frame, column="text", *, model=None, min_confidence=None):
    """Label the statements in a column of a pandas DataFrame.

    Parameters
    ----------
    frame : pandas.DataFrame
        The statements, one per row.
    column : str, default="text"
        The column holding the statements.
    model : ServingModel or StanceClassifier, optional
        Default: the bundled model.
    min_confidence : float, optional
        Below this probability the label is ``"uncertain"``.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` (same index) with a ``stance`` column and one
        ``p_<label>`` column per label added, or overwritten if present.

    Raises
    ------
    KeyError
        If ``column`` is not in the frame.
    TypeError
        If ``frame`` is not a DataFrame, or a cell is not a string (e.g. a
        missing value); the message gives the row's index label.
    ValueError
        If ``min_confidence`` is not between 0 and 1.

    Examples
    --------
    >>> import pandas as pd, stance
    >>> df = pd.DataFrame({"text": ["The accusations are groundless."]})
    >>> stance.predict_frame(df)["stance"].tolist()
    ['deny']
    """
    if not (hasattr(frame, "columns") and hasattr(frame, "assign")):
        raise TypeError(f"frame must be a pandas DataFrame, not {type(frame).__name__}")
    if column not in frame.columns:
        raise KeyError(f"no column {column!r} in the frame; its columns are {', '.join(map(str, frame.columns))}")
    values = frame[column].tolist()
    for position, value in enumerate(values):
        if not isinstance(value, str):
            where = frame.index[position]
            where = where.item() if hasattr(where, "item") else where  # numpy scalar -> plain
            kind = "missing" if value is None or value != value else f"{type(value).__name__}, not str"  # NaN != NaN
            raise TypeError(
                f"{column}[{where!r}] is {kind}; "
                f"fill or drop missing values first, e.g. frame[{column!r}].fillna('')"
            )
    model = model or load()
    rows = label_rows(values, model=model, min_confidence=min_confidence)
    out = frame.copy()
    for key in ["stance"] + [f"p_{c}" for c in model.classes_]:  # label_rows' keys, also for no rows
        out[key] = [row[key] for row in rows]
    return out
