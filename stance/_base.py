"""Input checks and output rules shared by every prediction path."""

from __future__ import annotations

#: Longest statement read, in characters. Longer input is cut to this length
#: before it is featurised, which bounds time and memory per statement; a
#: statement is a sentence or a short run of sentences, so nothing real is
#: lost (split long documents into sentences first, e.g. with ``stance tag``).
MAX_CHARS = 20_000


def check_texts(texts, *, name="texts"):
    """Return ``texts`` as a list of strings, or raise a specific error.

    Parameters
    ----------
    texts : iterable of str
        The statements. A single string is refused (it would otherwise be
        read as a sequence of one-character statements).
    name : str
        The argument's name, used in error messages.

    Returns
    -------
    list of str

    Raises
    ------
    TypeError
        If ``texts`` is a string, bytes or not iterable, or an item is not a
        string; the message gives the item's position and type.
    """
    if isinstance(texts, (str, bytes, bytearray)):
        raise TypeError(
            f"{name} must be a list of strings, not a single {type(texts).__name__}; "
            f"wrap one statement in a list: [text]"
        )
    try:
        items = list(texts)
    except TypeError:
        raise TypeError(f"{name} must be an iterable of strings, not {type(texts).__name__}") from None
    for position, item in enumerate(items):
        if not isinstance(item, str):
            raise TypeError(
                f"{name}[{position}] is {type(item).__name__}, not str; "
                f"every statement must be a string (decode bytes first, and drop or fill missing values)"
            )
    return items


def is_blank(text):
    """True for a statement with nothing to read: empty or only whitespace."""
    return not text.strip()


def clip(text):
    """Cut a statement to :data:`MAX_CHARS` characters."""
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS]


class PredictMixin:
    """``predict`` and ``predict_proba`` on top of a model's ``_predict_proba``.

    Both the scikit-learn estimator and the code-free serving model use this,
    so they treat odd input the same way: non-strings raise ``TypeError``,
    over-long statements are clipped to :data:`MAX_CHARS`, and a blank
    statement gets probability 1 for ``other`` (when the model knows that
    label), so one empty row never sinks a batch.
    """

    def predict_proba(self, X):
        """Probability of each label for each statement.

        Parameters
        ----------
        X : list of str
            The statements.

        Returns
        -------
        numpy.ndarray of shape (n_statements, n_labels)
            Columns follow ``classes_``; each row sums to 1.
        """
        return self._proba_of(check_texts(X, name="X"))

    def _proba_of(self, texts):
        """:meth:`predict_proba` of an already checked list of strings."""
        import numpy as np

        blank = [i for i, text in enumerate(texts) if is_blank(text)]
        if not blank and texts:  # the usual case, kept short for single statements
            return self._predict_proba([clip(text) for text in texts])
        classes = list(self.classes_)
        proba = np.zeros((len(texts), len(classes)), dtype=np.float64)
        filled = [i for i, text in enumerate(texts) if not is_blank(text)]
        if filled:
            proba[filled] = self._predict_proba([clip(texts[i]) for i in filled])
        if blank:
            if "other" in classes:
                proba[blank, classes.index("other")] = 1.0
            else:
                proba[blank] = self._predict_proba([""])[0]
        return proba

    def predict(self, X, **options):
        """Label of each statement.

        Parameters
        ----------
        X : list of str
            The statements.
        **options
            Passed on to ``predict_proba`` (e.g. ``n_jobs`` for a
            :class:`~stance.ServingModel`).

        Returns
        -------
        list of str
            The most probable label of each statement (the first in
            ``classes_`` order on a tie).
        """
        proba = self.predict_proba(X, **options)
        classes = list(self.classes_)
        return [str(classes[i]) for i in proba.argmax(axis=1)]
