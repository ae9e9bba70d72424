"""The one-line interface: ``stance.predict`` and ``stance.predict_proba``."""

from __future__ import annotations

from ._base import check_texts
from .persistence import load

__all__ = ["predict", "predict_proba"]


def _as_batch(text):
    if isinstance(text, str):
        return [text], True
    return check_texts(text, name="text"), False


def predict(text, *, model=None):
    """Label one statement or a list of statements.

    Parameters
    ----------
    text : str or list of str
        A statement, or a list of statements. A blank statement (empty or
        only whitespace) is labelled ``"other"``; text longer than
        ``stance.MAX_CHARS`` characters is read up to that length.
    model : ServingModel or StanceClassifier, optional
        A model from :func:`stance.load`; default: the bundled model.

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
    labels = (model or load()).predict(batch)
    return labels[0] if single else labels


def predict_proba(text, *, model=None):
    """Probability of each label for one statement or a list of statements.

    Parameters
    ----------
    text : str or list of str
        As for :func:`predict`.
    model : ServingModel or StanceClassifier, optional
        A model from :func:`stance.load`; default: the bundled model.

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
    rows = [dict(zip(classes, map(float, row))) for row in model.predict_proba(batch)]
    return rows[0] if single else rows
