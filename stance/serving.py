"""The code-free serving form of a fitted model.

A fitted pipeline is, for prediction, nothing but arithmetic on a few arrays:
the n-gram vocabularies, their IDF weights, the coefficients and intercepts,
and the analyzer settings that say how text becomes n-grams. This module
stores exactly that in a NumPy ``.npz`` file (read with
``allow_pickle=False``, so loading it runs no code) and redoes the arithmetic
with NumPy alone: prediction needs neither scikit-learn nor pandas, starts in
a fraction of the time, and gives the pipeline's probabilities to within
floating-point rounding.
"""

from __future__ import annotations

import collections
import dataclasses
import itertools
import json
import math
import re

import numpy as np

from ._base import PredictMixin, check_texts, clip, is_blank
from .exceptions import ModelFileError

__all__ = ["ServingModel", "Explanation", "FORMAT", "FORMAT_VERSION"]

FORMAT = "stance-serving"
FORMAT_VERSION = 2
# Version 1 stored vocabularies as fixed-width NumPy strings (four bytes a
# character, slow to decompress); version 2 as one UTF-8 text.
_READABLE_VERSIONS = (1, 2)

# scikit-learn's CountVectorizer folds runs of whitespace before char n-grams.
_WHITE_SPACES = re.compile(r"\s\s+")

# Distinct words whose char_wb n-gram columns are remembered per model.
_WORD_CACHE_SIZE = 200_000

# 1 + log(tf) for small term counts: a lookup instead of a logarithm per
# n-gram. np.log fills the table, so values are those scikit-learn computes.
_LOG_TF = np.log(np.arange(4096, dtype=np.float64).clip(1)) + 1.0

_NO_COLUMNS = np.empty(0, dtype=np.intp)

# Smallest batch that predict_proba(n_jobs=...) shares between processes:
# below it, starting workers costs more than it saves.
_PARALLEL_MIN = 4096


class _Block:
    """One TF-IDF vectoriser of a feature union, as plain data.

    Its job in prediction is :meth:`columns`: text in, one global column
    index per n-gram occurrence out. The arithmetic on those columns is
    shared by all blocks (:meth:`ServingModel._score`).
    """

    __slots__ = (
        "analyzer", "ngram_range", "lowercase", "token_pattern", "sublinear_tf", "norm", "vocab", "idf", "offset",
        "unknown", "_word_cache", "_terms",
    )

    def __init__(self, spec, terms, idf, offset):
        self.analyzer = spec["analyzer"]
        self.ngram_range = tuple(spec["ngram_range"])
        self.lowercase = bool(spec["lowercase"])
        self.token_pattern = re.compile(spec["token_pattern"]) if spec.get("token_pattern") else None
        self.sublinear_tf = bool(spec["sublinear_tf"])
        self.norm = spec["norm"]
        # Global column of each n-gram: lookups need no offset arithmetic.
        self.vocab = dict(zip(terms, range(offset, offset + len(terms))))  # built in C: quick to load
        self.idf = idf
        self.offset = offset
        # Column that unknown n-grams are sent to (set by the model: one past
        # its last feature), so lookups need no filtering in Python.
        self.unknown = None
        # char_wb n-grams depend only on the word they come from, and words
        # repeat a lot, so each word's columns are computed once.
        self._word_cache = {}
        self._terms = terms

    def ngrams(self, text):
        """The word or (whole-text) char n-grams of ``text``, as scikit-learn's
        analyzer makes them (after lowercasing, which the caller does)."""
        min_n, max_n = self.ngram_range
        if self.analyzer == "word":
            tokens = self.token_pattern.findall(text)
            grams = []
            for n in range(min_n, max_n + 1):
                # zip of shifted token lists makes each n-gram length in C.
                grams += tokens if n == 1 else map(" ".join, zip(*(tokens[i:] for i in range(n))))
            return grams
        # analyzer == "char" (char_wb goes word by word, through the cache in columns)
        text = _WHITE_SPACES.sub(" ", text)
        length = len(text)
        return [text[i : i + n] for n in range(min_n, min(max_n + 1, length + 1)) for i in range(length - n + 1)]

    def _word_ngrams(self, word):
        """The char_wb n-grams of one word, padded with a space on each side."""
        padded = f" {word} "
        length = len(padded)
        grams = []
        for n in range(self.ngram_range[0], self.ngram_range[1] + 1):
            if length <= n:  # a short word counts once, as in scikit-learn
                grams.append(padded)
                break
            grams += [padded[i : i + n] for i in range(length - n + 1)]
        return grams

    def columns(self, text):
        """Global column of every n-gram occurrence in ``text`` (lowercased
        by the caller if the block lowercases); unknown n-grams get
        :attr:`unknown`. A new array, which the caller may sort in place."""
        if self.analyzer != "char_wb":
            grams = self.ngrams(text)
            found = map(self.vocab.get, grams, itertools.repeat(self.unknown))
            return np.fromiter(found, dtype=np.intp, count=len(grams))
        cache = self._word_cache
        if len(cache) > _WORD_CACHE_SIZE:
            cache.clear()
        parts = []
        for word in text.split():
            found = cache.get(word)
            if found is None:
                get = self.vocab.get
                found = np.array([j for j in map(get, self._word_ngrams(word)) if j is not None], dtype=np.intp)
                found.flags.writeable = False
                cache[word] = found
            parts.append(found)
        return np.concatenate(parts) if parts else _NO_COLUMNS.copy()

    def owners(self, text, columns):
        """Who each of ``columns`` (this block's, in ``text``) belongs to, readably.

        Returns, for every column, ``(name, share)`` pairs that split its
        value between readable features: a word n-gram owns its own column;
        a character n-gram is shared among the words it occurs in, in
        proportion to how often it occurs in each, so that per-word sums stay
        exact.
        """
        if self.analyzer != "char_wb":
            terms = self.terms()
            return [[(terms[j - self.offset], 1.0)] for j in columns.tolist()]
        per_column = collections.defaultdict(collections.Counter)
        for word in text.split():
            for j in self.columns(word).tolist():
                per_column[j][word] += 1
        owners = []
        for j in columns.tolist():
            total = sum(per_column[j].values())
            owners.append([(word, count / total) for word, count in per_column[j].items()])
        return owners

    def terms(self):
        """The vocabulary as a list, position = local column."""
        return self._terms


class ServingModel(PredictMixin):
    """A fitted stance model as plain arrays, ready to predict.

    Build one with :meth:`from_pipeline` or :meth:`StanceClassifier.to_serving
    <stance.StanceClassifier.to_serving>`, or read one with :meth:`load`.

    Attributes
    ----------
    classes_ : numpy.ndarray of str
        The labels, in the column order of :meth:`predict_proba`.
    coef_ : numpy.ndarray of shape (n_labels, n_features)
        The logistic regression's coefficients (one row for a two-label
        model, as in scikit-learn); columns follow
        :meth:`get_feature_names_out`. Read-only.
    intercept_ : numpy.ndarray of shape (n_labels,)
        Its intercepts. Read-only.
    metadata : dict
        Provenance and metrics of the model (the model card).
    """

    def __init__(self, blocks, coef, intercept, classes, metadata=None):
        self._masker = None  # set by _build when the model masks entities
        self._source = False  # where worker processes can reload it: False = nowhere, None = bundled, else a path
        self._blocks = blocks
        self._coef = coef
        self._coef_t = np.ascontiguousarray(coef.T)  # (n_features, n_labels): one row fetched per n-gram
        self._intercept = intercept
        self._intercepts = intercept.tolist()
        self._idf = np.concatenate([b.idf for b in blocks]) if blocks else np.empty(0)
        self._starts = np.array([b.offset for b in blocks], dtype=np.intp)
        self._n_features = len(self._idf)
        for block in blocks:
            block.unknown = self._n_features
        sublinear = {b.sublinear_tf for b in blocks}
        # One TF transform for all columns when the blocks agree (the usual case).
        self._sublinear = sublinear.pop() if len(sublinear) == 1 else np.repeat(
            [b.sublinear_tf for b in blocks], [len(b.idf) for b in blocks]
        )
        self.classes_ = np.asarray(classes, dtype=str)
        self.metadata = dict(metadata or {})

    # -- construction -----------------------------------------------------

    @classmethod
    def from_pipeline(cls, pipeline, metadata=None):
        """Extract the serving form from a fitted scikit-learn pipeline.

        Parameters
        ----------
        pipeline : sklearn.pipeline.Pipeline
            ``[("features", FeatureUnion of TfidfVectorizer or a single
            TfidfVectorizer), ("clf", LogisticRegression)]``, fitted.
        metadata : dict, optional
            Stored with the arrays.

        Returns
        -------
        ServingModel
        """
        steps = dict(pipeline.steps)
        features, clf = pipeline.steps[-2][1], pipeline.steps[-1][1]
        preprocess = steps["mask"].spec if "mask" in steps else None
        if len(pipeline.steps) != (3 if preprocess else 2):
            raise ValueError(f"cannot build a serving form for a pipeline with steps {[n for n, _ in pipeline.steps]}")
        vectorizers = [v for _, v in features.transformer_list] if hasattr(features, "transformer_list") else [features]
        specs, vocabularies, idfs, offset = [], [], [], 0
        for vec in vectorizers:
            specs.append(_vectorizer_spec(vec))
            terms = [None] * len(vec.vocabulary_)
            for term, j in vec.vocabulary_.items():
                terms[j] = term
            vocabularies.append(terms)
            idfs.append(np.asarray(vec.idf_, dtype=np.float64) if vec.use_idf else np.ones(len(terms)))
            offset += len(terms)
        coef = np.asarray(clf.coef_, dtype=np.float64)
        if coef.shape[1] != offset:
            raise ValueError(f"the classifier has {coef.shape[1]} coefficients but the features number {offset}")
        intercept = np.asarray(clf.intercept_, dtype=np.float64)
        return cls._build(specs, vocabularies, idfs, coef, intercept, list(clf.classes_), metadata, preprocess)

    @classmethod
    def _build(cls, specs, vocabularies, idfs, coef, intercept, classes, metadata, preprocess=None):
        blocks, offset = [], 0
        for spec, terms, idf in zip(specs, vocabularies, idfs, strict=True):
            if len(terms) != len(idf):
                raise ValueError(f"a block has {len(terms)} terms but {len(idf)} IDF weights")
            blocks.append(_Block(spec, terms, np.asarray(idf, dtype=np.float64), offset))
            offset += len(terms)
        model = cls(blocks, coef, intercept, classes, metadata)
        model._specs, model._preprocess = specs, preprocess
        if preprocess is not None:
            from .masking import Masker

            model._masker = Masker(preprocess)
        return model

    # -- persistence ------------------------------------------------------

    def _header(self):
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "classes": [str(c) for c in self.classes_],
            "blocks": self._specs,
            "preprocess": self._preprocess,
            "metadata": self.metadata,
        }

    def write(self, fh):
        """Write the serving form as ``.npz`` to an open binary file."""
        arrays, separators = {}, []
        for k, block in enumerate(self._blocks):
            arrays[f"vocab_{k}"], separator = _encode_terms(block.terms())
            arrays[f"idf_{k}"] = block.idf
            separators.append(separator)
        header = self._header()
        header["vocab_separators"] = separators
        arrays["coef"] = self._coef
        arrays["intercept"] = self._intercept
        arrays["header"] = np.array(json.dumps(header, sort_keys=True))
        np.savez_compressed(fh, **arrays)

    @classmethod
    def load(cls, path):
        """Read a serving form written by :meth:`write`.

        Nothing in the file is executed: arrays are read with
        ``allow_pickle=False`` and the header is JSON.

        Parameters
        ----------
        path : str or path-like or binary file

        Returns
        -------
        ServingModel

        Raises
        ------
        ModelFileError
            If the file is not a readable stance serving file.
        """
        import zipfile

        name = getattr(path, "name", path)
        try:
            with np.load(path, allow_pickle=False) as data:
                files = set(data.files)
                if "header" not in files:
                    raise ModelFileError(f"{name} is a NumPy archive but not a stance model (no header)")
                header = json.loads(str(data["header"]))
                if header.get("format") != FORMAT:
                    raise ModelFileError(f"{name} is not a stance serving model (format {header.get('format')!r})")
                if header.get("format_version") not in _READABLE_VERSIONS:
                    raise ModelFileError(
                        f"{name} uses serving format version {header.get('format_version')}; "
                        f"this stance reads versions {', '.join(map(str, _READABLE_VERSIONS))}"
                    )
                arrays = {key: data[key] for key in files if key.startswith(("vocab_", "idf_"))}
                coef, intercept = data["coef"], data["intercept"]
        except ModelFileError:
            raise
        except FileNotFoundError:
            raise ModelFileError(f"no such model file: {name}") from None
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
            raise ModelFileError(f"{name} is not a readable stance model file: {exc}") from None
        try:
            specs = header["blocks"]
            if header["format_version"] == 1:  # vocabularies as NumPy string arrays
                vocabularies = [arrays[f"vocab_{k}"].tolist() for k in range(len(specs))]
            else:
                separators = header["vocab_separators"]
                vocabularies = [_decode_terms(arrays[f"vocab_{k}"], separators[k]) for k in range(len(specs))]
            model = cls._build(
                specs, vocabularies, [arrays[f"idf_{k}"] for k in range(len(specs))], coef, intercept,
                header["classes"], header.get("metadata"), header.get("preprocess"),
            )
            n_features = model._n_features
            if coef.shape != (len(model.classes_) if len(model.classes_) > 2 else 1, n_features):
                raise ValueError(f"coefficients have shape {coef.shape} for {n_features} features")
        except (KeyError, IndexError, TypeError, ValueError, AttributeError, re.error) as exc:
            raise ModelFileError(f"{name} is a damaged stance model file: {exc}") from None
        return model

    # -- prediction -------------------------------------------------------

    def _columns(self, text):
        """The column of every n-gram occurrence of one statement (clipped, not
        blank), all blocks; unknown n-grams get the column past the last."""
        if self._masker is not None:
            text = self._masker(text)
        lowered = text.lower()
        return np.concatenate([block.columns(lowered if block.lowercase else text) for block in self._blocks])

    def _counts(self, ids):
        """Sorted distinct columns among ``ids`` (sorted in place) and how
        often each occurs, unknown n-grams left out."""
        n = len(ids)
        if not n:
            return _NO_COLUMNS, _NO_COLUMNS
        ids.sort()
        # Run boundaries of the sorted columns, with both ends marked, so
        # that the counts are the gaps between boundaries.
        edge = np.empty(n + 1, dtype=bool)
        edge[0] = edge[n] = True
        np.not_equal(ids[1:], ids[:-1], out=edge[1:n])
        runs = np.flatnonzero(edge)
        columns, counts = ids[runs[:-1]], runs[1:] - runs[:-1]
        if columns[-1] == self._n_features:  # the unknown n-grams: no feature
            columns, counts = columns[:-1], counts[:-1]
        return columns, counts

    def _tf(self, columns, counts, n):
        """Term frequencies as the vectorisers weight them (1 + log(tf) when
        sublinear); ``n``, the number of n-grams, bounds every count."""
        if self._sublinear is True:
            return _LOG_TF[counts] if n < len(_LOG_TF) else np.log(counts) + 1.0
        if self._sublinear is False:
            return counts.astype(np.float64)
        return np.where(self._sublinear[columns], np.log(counts.clip(1)) + 1.0, counts)

    def _segments(self, columns):
        """``(block, start, stop)`` of each block's part of sorted ``columns``."""
        bounds = np.searchsorted(columns, self._starts).tolist() + [len(columns)]
        return zip(self._blocks, bounds, bounds[1:])

    def _features(self, ids):
        """Sorted columns and TF-IDF values from the columns of one statement's
        n-grams (as :meth:`_columns` gives them): the statement's row of the
        pipeline's feature matrix."""
        columns, counts = self._counts(ids)
        values = self._tf(columns, counts, len(ids)) * self._idf[columns]
        for block, a, b in self._segments(columns):
            if a < b and block.norm is not None:
                segment = values[a:b]
                size = math.sqrt(float(segment @ segment)) if block.norm == "l2" else float(segment.sum())
                if size > 0.0:
                    segment /= size
        return columns, values

    def _logits(self, text):
        """The labels' scores (logits) of one statement, as a list of floats."""
        return self._score(self._columns(text))

    def _score(self, ids):
        """The logits from the columns of a statement's n-grams."""
        columns, values = self._features(ids)
        # take(axis=0) copies whole rows; fancy indexing is several times slower here.
        scores = (values @ self._coef_t.take(columns, axis=0)).tolist()
        return [score + bias for score, bias in zip(scores, self._intercepts)]

    def _decision(self, texts):
        # One statement at a time: a statement is a few hundred n-grams, and
        # row by row keeps memory flat for any batch.
        width = len(self._intercepts)
        return np.array([self._logits(text) for text in texts], dtype=np.float64).reshape(len(texts), width)

    def decision_function(self, X):
        """Per-label scores (logits) before the softmax, as scikit-learn's.

        Parameters
        ----------
        X : list of str

        Returns
        -------
        numpy.ndarray
            Shape (n_statements, n_labels), or (n_statements,) for a model
            with two labels, as in scikit-learn.
        """
        scores = self._decision([clip(t) for t in check_texts(X, name="X")])
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def _predict_proba(self, texts):
        # The softmax of four numbers is cheaper in plain Python than in
        # NumPy; every path (one statement, a batch, workers) uses this one.
        rows = [_softmax(self._logits(text)) for text in texts]
        return np.array(rows, dtype=np.float64).reshape(len(texts), len(self.classes_))

    def explain(self, text, top=10, *, label=None):
        """The features that pushed a statement towards a label, with their exact weights.

        A logistic regression scores each label as the intercept plus one
        term per feature (coefficient x TF-IDF value), so the decomposition
        is exact: ``intercept + sum(contributions) + rest == score``.
        Word n-grams are reported as themselves; character n-grams are
        summed per word they occur in (a shared n-gram is split between its
        words by occurrence), so a misspelt or unseen word still shows up.

        Parameters
        ----------
        text : str
            One statement.
        top : int or None, default=10
            How many features to list, largest absolute contribution first;
            ``None`` lists all of them.
        label : str, optional
            The label to explain; default: the predicted one.

        Returns
        -------
        Explanation

        Raises
        ------
        TypeError
            If ``text`` is not a string.
        ValueError
            If ``label`` is not one of ``classes_`` or ``top`` is negative.

        Examples
        --------
        >>> import stance
        >>> why = stance.load().explain("The accusations are groundless.", top=3)
        >>> why.label
        'deny'
        """
        (text,) = check_texts([text], name="text")
        if top is not None and (not isinstance(top, int) or top < 0):
            raise ValueError(f"top must be a non-negative integer or None, not {top!r}")
        classes = [str(c) for c in self.classes_]
        proba = self.predict_proba([text])[0]
        if label is None:
            label = classes[int(proba.argmax())]
        elif label not in classes:
            raise ValueError(f"unknown label {label!r}; this model's labels are {', '.join(classes)}")
        k = classes.index(label)
        # Binary models store one row of coefficients, for classes_[1].
        sign, row = (1.0, k) if self._coef.shape[0] > 1 else ((1.0 if k == 1 else -1.0), 0)
        intercept = sign * float(self._intercept[row])
        totals = collections.defaultdict(float)
        if not is_blank(text):
            clipped = clip(text)
            columns, values = self._features(self._columns(clipped))
            if self._masker is not None:
                clipped = self._masker(clipped)
            weights = (sign * self._coef[row, columns] * values).tolist()
            for block, a, b in self._segments(columns):
                kind = "chars" if block.analyzer == "char_wb" else block.analyzer
                owners = block.owners(clipped.lower() if block.lowercase else clipped, columns[a:b])
                for weight, shares in zip(weights[a:b], owners):
                    for name, share in shares:
                        totals[(kind, name)] += weight * share
        ranked = sorted(totals.items(), key=lambda item: (-abs(item[1]), item[0]))
        shown = ranked if top is None else ranked[:top]
        rest = math.fsum(v for _, v in ranked[len(shown):])
        score = intercept + math.fsum(totals.values())
        return Explanation(
            text=text,
            label=label,
            probability=float(proba[k]),
            score=score,
            intercept=intercept,
            features=tuple((name, kind, value) for (kind, name), value in shown),
            rest=rest,
        )

    def predict_proba(self, X, *, n_jobs=None):
        """Probability of each label for each statement.

        Parameters
        ----------
        X : list of str
            The statements.
        n_jobs : int or None, default=None
            Worker processes (joblib) that share a large batch; ``-1`` uses
            every core. Results are identical to one process. A model loaded
            from a file (or the bundled one) is reloaded by each worker
            rather than sent to it; batches under 4,096 statements stay in
            this process.

        Returns
        -------
        numpy.ndarray of shape (n_statements, n_labels)
            Columns follow ``classes_``; each row sums to 1.
        """
        texts = check_texts(X, name="X")
        if n_jobs in (None, 1) or len(texts) < _PARALLEL_MIN:
            return self._proba_of(texts)
        from joblib import Parallel, delayed, effective_n_jobs

        workers = max(1, min(effective_n_jobs(n_jobs), len(texts) // (_PARALLEL_MIN // 4)))
        bounds = np.linspace(0, len(texts), workers + 1).astype(int)
        source, model = (self._source, None) if self._source is not False else (False, self)
        parts = Parallel(n_jobs=workers)(
            delayed(_proba_in_worker)(source, model, texts[a:b]) for a, b in zip(bounds[:-1], bounds[1:])
        )
        return np.concatenate(parts)

    @property
    def coef_(self):
        view = self._coef.view()
        view.flags.writeable = False
        return view

    @property
    def intercept_(self):
        view = self._intercept.view()
        view.flags.writeable = False
        return view

    def get_feature_names_out(self):
        """The name of each feature, in the column order of ``coef_``.

        Returns
        -------
        numpy.ndarray of str
            ``"<analyzer>__<n-gram>"``, e.g. ``"word__groundless"`` or
            ``"char_wb__ess "``, as a scikit-learn ``FeatureUnion`` names them.
        """
        names = [f"{block.analyzer}__{term}" for block in self._blocks for term in block.terms()]
        return np.asarray(names, dtype=object)

    def __repr__(self):
        return f"ServingModel(classes={[str(c) for c in self.classes_]}, n_features={self._n_features})"


def _softmax(scores):
    """Probabilities from a list of logits (one logit: binary, as scikit-learn's)."""
    if len(scores) == 1:
        score = scores[0]
        # The logistic function, written so that exp never overflows.
        if score >= 0:
            positive = 1.0 / (1.0 + math.exp(-score))
        else:
            odds = math.exp(score)
            positive = odds / (1.0 + odds)
        return [1.0 - positive, positive]
    top = max(scores)
    exps = [math.exp(score - top) for score in scores]
    total = sum(exps)
    return [e / total for e in exps]


def _proba_in_worker(source, model, texts):
    """``predict_proba`` in a joblib worker, reloading the model from its source once per process."""
    if model is None:
        from .persistence import _load_once

        model = _load_once(source)
    return model.predict_proba(texts)


@dataclasses.dataclass(frozen=True)
class Explanation:
    """An exact decomposition of one label's score for one statement.

    ``intercept + sum(c for _, _, c in features) + rest == score`` up to
    floating-point rounding, where ``score`` is the label's logit (the
    value the softmax turns into ``probability``). A blank statement has no
    features; it is labelled ``other`` by rule, whatever its score.

    Attributes
    ----------
    text : str
        The statement.
    label : str
        The label explained (the predicted one unless another was asked for).
    probability : float
        The model's probability for ``label``.
    score : float
        The label's logit.
    intercept : float
        The label's intercept.
    features : tuple of (name, kind, contribution)
        The largest contributions, largest magnitude first. ``kind`` is
        ``"word"`` for a word n-gram, ``"chars"`` for the character n-grams
        of one word, ``"char"`` for raw character n-grams.
    rest : float
        The sum of the contributions not listed.
    """

    text: str
    label: str
    probability: float
    score: float
    intercept: float
    features: tuple
    rest: float

    def to_dict(self):
        """The explanation as plain JSON-ready data."""
        return {
            "text": self.text,
            "label": self.label,
            "probability": self.probability,
            "score": self.score,
            "intercept": self.intercept,
            "features": [{"feature": n, "kind": k, "contribution": c} for n, k, c in self.features],
            "rest": self.rest,
        }

    def summary(self, sep="; "):
        """The listed features on one line: ``'"groundless" +1.234; ...'``."""
        return sep.join(f"{_feature_name(n, k)} {c:+.3f}" for n, k, c in self.features)

    def __str__(self):
        lines = [f"{self.label} (p={self.probability:.3f}, score {self.score:+.4f})"]
        width = max([len(_feature_name(n, k)) for n, k, _ in self.features] + [9])
        for name, kind, value in self.features:
            lines.append(f"  {_feature_name(name, kind):{width}}  {value:+.4f}")
        lines.append(f"  {'(others)':{width}}  {self.rest:+.4f}")
        lines.append(f"  {'intercept':{width}}  {self.intercept:+.4f}")
        return "\n".join(lines)


def _feature_name(name, kind):
    return {"word": f'"{name}"', "chars": f"{name} (chars)"}.get(kind, repr(name))


def _encode_terms(terms):
    """A vocabulary as one UTF-8 text (uint8 array) and the separator used.

    Decoding and splitting one text is far quicker than reading a
    fixed-width string array. The separator is a character that occurs in
    no term (the first free one of a few candidates)."""
    for separator in ["\n", "\x00", "\x01", "\x02", "\x03", "\x1f", "\ufffe"]:
        text = separator.join(terms)
        if text.count(separator) == max(len(terms) - 1, 0):
            data = text.encode("utf-8", "surrogatepass")  # n-grams of odd text may hold lone surrogates
            return np.frombuffer(data, dtype=np.uint8), separator
    raise ValueError("no separator character is free in this vocabulary")


def _decode_terms(data, separator):
    """The inverse of :func:`_encode_terms`."""
    if data.dtype != np.uint8:
        raise ValueError(f"a vocabulary of dtype {data.dtype}, not uint8")
    text = data.tobytes().decode("utf-8", "surrogatepass")
    return text.split(separator) if text else []


def _vectorizer_spec(vec):
    """The analyzer settings of a TfidfVectorizer, refusing any we do not replicate."""
    unsupported = []
    if vec.analyzer not in ("word", "char", "char_wb"):
        unsupported.append(f"analyzer={vec.analyzer!r}")
    for attr in ("preprocessor", "tokenizer", "stop_words", "strip_accents"):
        if getattr(vec, attr) is not None:
            unsupported.append(f"{attr}={getattr(vec, attr)!r}")
    if vec.binary:
        unsupported.append("binary=True")
    if vec.norm not in ("l1", "l2", None):
        unsupported.append(f"norm={vec.norm!r}")
    if unsupported:
        raise ValueError(f"cannot build a serving form for a vectorizer with {', '.join(unsupported)}")
    return {
        "analyzer": vec.analyzer,
        "ngram_range": list(vec.ngram_range),
        "lowercase": bool(vec.lowercase),
        "token_pattern": vec.token_pattern if vec.analyzer == "word" else None,
        "sublinear_tf": bool(vec.sublinear_tf),
        "norm": vec.norm,
    }
