"""The scikit-learn estimator and the training entry point.

:class:`StanceClassifier` wraps a ``Pipeline`` of TF-IDF features (word and
character n-grams) and a multinomial ``LogisticRegression``. :func:`train`
fits one on a corpus and attaches held-out metrics from grouped
cross-validation, which is what the bundled model and ``stance train`` use.
"""

from __future__ import annotations

import datetime as _dt
import os

from ._base import PredictMixin, check_texts

__all__ = ["StanceClassifier", "train", "DEFAULT_PARAMS"]

# Words and the punctuation that carries stance ("?" for rhetorical
# questions, "!" for social-media outrage); one-letter words such as "I" and
# "a" are kept because first-person denials lean on them.
TOKEN_PATTERN = r"(?u)\b\w+\b|[?!]"


class StanceClassifier(PredictMixin):
    """TF-IDF + logistic-regression classifier of statement stance.

    Parameters
    ----------
    word_ngram_range : tuple (min_n, max_n) or None, default=(1, 3)
        Word n-grams used as features; ``None`` uses character n-grams only.
    char_ngram_range : tuple (min_n, max_n) or None, default=(2, 5)
        Character n-grams inside word boundaries (``char_wb``); ``None`` uses
        word features only.
    sublinear_tf : bool, default=True
        Use ``1 + log(tf)`` instead of raw counts.
    min_df : int, default=1
        Ignore n-grams seen in fewer statements than this.
    C : float, default=30.0
        Inverse regularisation strength of the logistic regression.
    class_weight : "balanced" or None, default="balanced"
        Weight labels inversely to their frequency.
    max_iter : int, default=3000
        Iteration limit of the lbfgs solver.
    mask_entities : bool, default=True
        Replace numbers, weekdays, months, countries, nationalities, capitals
        and agency acronyms with placeholders before featurising (see
        :mod:`stance.masking`), so the model learns the act, not the actor.

    Attributes
    ----------
    pipeline_ : sklearn.pipeline.Pipeline
        The fitted pipeline.
    classes_ : numpy.ndarray
        The labels, in the column order of :meth:`predict_proba`.
    metadata_ : dict
        Provenance and held-out metrics, set by :func:`train` (empty after a
        plain :meth:`fit`).

    Examples
    --------
    >>> from stance import StanceClassifier
    >>> texts = ["They spied on us.", "The claims are false.",
    ...          "Beware of fake recruiters.", "The talks resume Monday."] * 3
    >>> labels = ["accuse", "deny", "warn", "other"] * 3
    >>> model = StanceClassifier().fit(texts, labels)
    >>> model.predict(["The claims are false."])
    ['deny']
    """

    def __init__(
        self,
        *,
        word_ngram_range=(1, 3),
        char_ngram_range=(2, 5),
        sublinear_tf=True,
        min_df=1,
        C=30.0,
        class_weight="balanced",
        max_iter=3000,
        mask_entities=True,
    ):
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.sublinear_tf = sublinear_tf
        self.min_df = min_df
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.mask_entities = mask_entities

    # scikit-learn's BaseEstimator would give us get_params/set_params, but
    # inheriting from it imports scikit-learn, which serving must not need.
    # These two follow its contract: parameters are the __init__ keywords.
    _PARAM_NAMES = (
        "word_ngram_range",
        "char_ngram_range",
        "sublinear_tf",
        "min_df",
        "C",
        "class_weight",
        "max_iter",
        "mask_entities",
    )

    def get_params(self, deep=True):
        """Parameters of this estimator, as scikit-learn expects.

        Returns
        -------
        dict
        """
        return {name: getattr(self, name) for name in self._PARAM_NAMES}

    def set_params(self, **params):
        """Set parameters, as scikit-learn expects.

        Returns
        -------
        self
        """
        for name, value in params.items():
            if name not in self._PARAM_NAMES:
                raise ValueError(
                    f"invalid parameter {name!r} for StanceClassifier; valid: {', '.join(self._PARAM_NAMES)}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self):
        defaults = StanceClassifier()
        changed = [
            f"{name}={getattr(self, name)!r}"
            for name in self._PARAM_NAMES
            if getattr(self, name) != getattr(defaults, name)
        ]
        return f"StanceClassifier({', '.join(changed)})"

    def __sklearn_tags__(self):
        from sklearn.base import ClassifierMixin, BaseEstimator

        class _Probe(ClassifierMixin, BaseEstimator):
            pass

        tags = _Probe().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    _estimator_type = "classifier"

    def _build_pipeline(self):
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, Pipeline

        if self.word_ngram_range is None and self.char_ngram_range is None:
            raise ValueError("word_ngram_range and char_ngram_range cannot both be None: there would be no features")

        def tfidf(**settings):
            return TfidfVectorizer(
                lowercase=True, sublinear_tf=self.sublinear_tf, min_df=self.min_df, dtype=np.float64, **settings
            )

        features = []
        if self.word_ngram_range is not None:
            features.append(
                ("word", tfidf(analyzer="word", ngram_range=tuple(self.word_ngram_range), token_pattern=TOKEN_PATTERN))
            )
        if self.char_ngram_range is not None:
            features.append(("char", tfidf(analyzer="char_wb", ngram_range=tuple(self.char_ngram_range))))
        steps = []
        if self.mask_entities:
            from .masking import Masker

            steps.append(("mask", Masker()))
        return Pipeline(
            steps
            + [
                ("features", FeatureUnion(features)),
                (
                    "clf",
                    LogisticRegression(
                        C=self.C,
                        class_weight=self.class_weight,
                        max_iter=self.max_iter,
                        solver="lbfgs",
                    ),
                ),
            ]
        )

    def fit(self, X, y):
        """Fit the model.

        Parameters
        ----------
        X : list of str
            Statements.
        y : list of str
            Their labels.

        Returns
        -------
        self
        """
        texts = check_texts(X, name="X")
        labels = list(y)
        if len(labels) != len(texts):
            raise ValueError(f"X has {len(texts)} statements but y has {len(labels)} labels")
        if len(set(labels)) < 2:
            raise ValueError("y must contain at least two different labels to fit a classifier")
        pipeline = self._build_pipeline()
        pipeline.fit(texts, labels)
        self.pipeline_ = pipeline
        self.classes_ = pipeline.classes_
        self.metadata_ = {}
        return self

    def __getstate__(self):
        # The explanation cache is derived data; it must not bloat saved files.
        state = dict(self.__dict__)
        state.pop("_explainer", None)
        return state

    def _check_fitted(self):
        if not hasattr(self, "pipeline_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("this StanceClassifier is not fitted yet; call fit(texts, labels) first")

    def _predict_proba(self, texts):
        self._check_fitted()
        return self.pipeline_.predict_proba(texts)

    def predict_proba(self, X):  # noqa: D102 - documented in PredictMixin
        self._check_fitted()
        return super().predict_proba(X)

    predict_proba.__doc__ = PredictMixin.predict_proba.__doc__

    def decision_function(self, X):
        """Per-label scores (logits) before the softmax.

        Parameters
        ----------
        X : list of str

        Returns
        -------
        numpy.ndarray of shape (n_statements, n_labels)
        """
        self._check_fitted()
        return self.pipeline_.decision_function(check_texts(X, name="X"))

    def score(self, X, y):
        """Macro-averaged F1 on ``X`` against ``y``.

        Returns
        -------
        float
        """
        from sklearn.metrics import f1_score

        return float(f1_score(list(y), self.predict(X), average="macro"))

    def save(self, path):
        """Save the fitted model (joblib bundle, JSON card and code-free
        serving form) atomically; see :func:`stance.persistence.save_model`.

        Returns
        -------
        pathlib.Path
            The path of the joblib bundle.
        """
        from .persistence import save_model

        return save_model(self, path)

    def explain(self, text, top=10, *, label=None):
        """The features that pushed a statement towards a label, exactly.

        Same as :meth:`ServingModel.explain <stance.ServingModel.explain>`
        (whose arithmetic equals this pipeline's); the serving form is built
        on the first call and kept until the next :meth:`fit`.

        Returns
        -------
        stance.Explanation
        """
        self._check_fitted()
        cached = getattr(self, "_explainer", None)
        if cached is None or cached[0] is not self.pipeline_:
            cached = self._explainer = (self.pipeline_, self.to_serving())
        return cached[1].explain(text, top, label=label)

    def to_serving(self):
        """The code-free serving form of this fitted model.

        Returns
        -------
        stance.serving.ServingModel
        """
        from .serving import ServingModel

        self._check_fitted()
        return ServingModel.from_pipeline(self.pipeline_, metadata=getattr(self, "metadata_", {}))


DEFAULT_PARAMS = StanceClassifier().get_params()


def _training_date():
    # SOURCE_DATE_EPOCH lets a rebuild reproduce the card byte for byte.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (
        _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc)
        if epoch
        else _dt.datetime.now(tz=_dt.timezone.utc)
    )
    return moment.replace(microsecond=0).isoformat()


def train(data=None, *, cv=5, random_state=0, selection=None, **params):
    """Fit a :class:`StanceClassifier` on a labelled corpus.

    Parameters
    ----------
    data : str, path-like, pandas.DataFrame or None, default=None
        The corpus (see :func:`stance.corpus.load_corpus`); ``None`` uses the
        bundled one.
    cv : int or None, default=5
        Number of grouped cross-validation folds used to measure held-out
        metrics before the final fit; ``None`` or ``0`` skips the measurement.
    random_state : int, default=0
        Seed of the fold assignment. Fitting itself is deterministic.
    selection : dict or None
        How the parameters were chosen (e.g. a sweep's summary), recorded in
        the model card.
    **params
        Parameters of :class:`StanceClassifier`.

    Returns
    -------
    StanceClassifier
        Fitted on the whole corpus, with provenance and held-out metrics in
        ``metadata_``.
    """
    import sklearn

    from . import __version__
    from .corpus import corpus_sha256, load_corpus

    corpus = load_corpus(data)
    model = StanceClassifier(**params)
    metrics = None
    if cv:
        from .evaluation import cross_validate

        metrics = cross_validate(model, corpus, n_splits=cv, random_state=random_state)["summary"]
    model.fit(list(corpus["text"]), list(corpus["label"]))
    model.metadata_ = {
        "labels": [str(c) for c in model.classes_],
        "stance_version": __version__,
        "sklearn_version": sklearn.__version__,
        "corpus_sha256": corpus_sha256(corpus),
        "corpus_size": int(len(corpus)),
        "corpus_groups": int(corpus["group"].nunique()),
        "label_counts": {str(k): int(v) for k, v in corpus["label"].value_counts().sort_index().items()},
        "params": _jsonable(model.get_params()),
        "cv": {"n_splits": cv, "random_state": random_state, "splitter": "StratifiedGroupKFold"} if cv else None,
        "heldout_metrics": metrics,
        "selection": selection,
        "trained_at": _training_date(),
    }
    return model


def _jsonable(params):
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
