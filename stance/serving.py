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
FORMAT_VERSION = 1

# scikit-learn's CountVectorizer folds runs of whitespace before char n-grams.
_WHITE_SPACES = re.compile(r"\s\s+")

# Statements featurised at a time in a batch.
_CHUNK = 1024

# Distinct words whose char_wb n-gram indices are remembered per model.
_WORD_CACHE_SIZE = 200_000


class _Block:
    """One TF-IDF vectoriser of a feature union, as plain data."""

    __slots__ = (
        "analyzer", "ngram_range", "lowercase", "token_pattern", "sublinear_tf", "norm", "vocab", "idf", "offset",
        "_word_cache", "_terms",
    )

    def __init__(self, spec, terms, idf, offset):
        self.analyzer = spec["analyzer"]
        self.ngram_range = tuple(spec["ngram_range"])
        self.lowercase = bool(spec["lowercase"])
        self.token_pattern = re.compile(spec["token_pattern"]) if spec.get("token_pattern") else None
        self.sublinear_tf = bool(spec["sublinear_tf"])
        self.norm = spec["norm"]
        self.vocab = {term: i for i, term in enumerate(terms.tolist())}
        self.idf = idf
        self.offset = offset
        # char_wb n-grams depend only on the word they come from, and words
        # repeat a lot, so each word's vocabulary indices are computed once.
        self._word_cache = {}
        self._terms = None

    def ngrams(self, text):
        """The word or char n-grams of already-lowercased ``text`` (char_wb
        goes through :meth:`_char_wb_indices`, which caches per word)."""
        min_n, max_n = self.ngram_range
        if self.analyzer == "word":
            tokens = self.token_pattern.findall(text)
            if max_n == 1:
                return tokens
            grams = list(tokens) if min_n == 1 else []
            for n in range(max(min_n, 2), min(max_n, len(tokens)) + 1):
                grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
            return grams
        text = _WHITE_SPACES.sub(" ", text)
        grams = []
        # analyzer == "char"
        length = len(text)
        for n in range(min_n, min(max_n + 1, length + 1)):
            grams.extend(text[i : i + n] for i in range(length - n + 1))
        return grams

    def _char_wb_indices(self, text):
        """Vocabulary indices of the char_wb n-grams of ``text``, word by word."""
        cache, vocab = self._word_cache, self.vocab
        if len(cache) > _WORD_CACHE_SIZE:
            cache.clear()
        min_n, max_n = self.ngram_range
        parts = []
        for word in text.split():
            found = cache.get(word)
            if found is None:
                padded = f" {word} "
                length = len(padded)
                grams = []
                for n in range(min_n, max_n + 1):
                    if length <= n:  # a short word counts once, as in scikit-learn
                        grams.append(padded)
                        break
                    grams.extend(padded[i : i + n] for i in range(length - n + 1))
                found = cache[word] = tuple(vocab[g] for g in grams if g in vocab)
            parts.append(found)
        return itertools.chain.from_iterable(parts)

    def attributed_features(self, text):
        """Like :meth:`features`, plus the readable name each value belongs to.

        Returns ``(index, values, owners)`` where ``owners`` lists, for every
        column, ``(name, share)`` pairs that split its value between readable
        features: a word n-gram owns its own column; a character n-gram is
        shared among the words it occurs in, in proportion to how often it
        occurs in each, so that per-word sums stay exact.
        """
        index, values = self.features(text)
        if self.lowercase:
            text = text.lower()
        local = index - self.offset
        if self.analyzer == "char_wb":
            per_column = collections.defaultdict(collections.Counter)
            for word in text.split():
                for j in self._char_wb_indices(word):
                    per_column[j][word] += 1
            owners = []
            for j in local.tolist():
                total = sum(per_column[j].values())
                owners.append([(word, count / total) for word, count in per_column[j].items()])
        else:
            terms = self.terms()
            owners = [[(terms[j], 1.0)] for j in local.tolist()]
        return index, values, owners

    def terms(self):
        """The vocabulary as a list, position = local column (built once)."""
        if self._terms is None:
            terms = [None] * len(self.vocab)
            for term, j in self.vocab.items():
                terms[j] = term
            self._terms = terms
        return self._terms

    def features(self, text):
        """Column indices (global) and TF-IDF values of one statement."""
        if self.lowercase:
            text = text.lower()
        if self.analyzer == "char_wb":
            counts = collections.Counter(self._char_wb_indices(text))
        else:
            vocab = self.vocab
            counts = collections.Counter(vocab[g] for g in self.ngrams(text) if g in vocab)
        if not counts:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        index = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.sublinear_tf:
            tf = np.log(tf) + 1.0
        values = tf * self.idf[index]
        if self.norm == "l2":
            values /= math.sqrt(float(values @ values))
        elif self.norm == "l1":
            values /= float(np.abs(values).sum())
        return index + self.offset, values


class ServingModel(PredictMixin):
    """A fitted stance model as plain arrays, ready to predict.

    Build one with :meth:`from_pipeline` or :meth:`StanceClassifier.to_serving
    <stance.StanceClassifier.to_serving>`, or read one with :meth:`load`.

    Attributes
    ----------
    classes_ : numpy.ndarray of str
        The labels, in the column order of :meth:`predict_proba`.
    metadata : dict
        Provenance and metrics of the model (the model card).
    """

    def __init__(self, blocks, coef, intercept, classes, metadata=None):
        self._masker = None  # set by _from_arrays when the model masks entities
        self._source = False  # where worker processes can reload it: False = nowhere, None = bundled, else a path
        self._blocks = blocks
        self._coef_t = np.ascontiguousarray(coef.T)  # (n_features, n_labels): rows gathered per n-gram
        self._coef = coef
        self._intercept = intercept
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
        specs, arrays, offset = [], {}, 0
        for k, vec in enumerate(vectorizers):
            spec = _vectorizer_spec(vec)
            terms = np.empty(len(vec.vocabulary_), dtype=object)
            for term, j in vec.vocabulary_.items():
                terms[j] = term
            arrays[f"vocab_{k}"] = terms.astype(str)
            arrays[f"idf_{k}"] = np.asarray(vec.idf_, dtype=np.float64) if vec.use_idf else np.ones(len(terms))
            specs.append(spec)
            offset += len(terms)
        coef = np.asarray(clf.coef_, dtype=np.float64)
        if coef.shape[1] != offset:
            raise ValueError(f"the classifier has {coef.shape[1]} coefficients but the features number {offset}")
        intercept = np.asarray(clf.intercept_, dtype=np.float64)
        return cls._from_arrays(specs, arrays, coef, intercept, list(clf.classes_), metadata, preprocess)

    @classmethod
    def _from_arrays(cls, specs, arrays, coef, intercept, classes, metadata, preprocess=None):
        blocks, offset = [], 0
        for k, spec in enumerate(specs):
            terms, idf = arrays[f"vocab_{k}"], arrays[f"idf_{k}"]
            blocks.append(_Block(spec, terms, np.asarray(idf, dtype=np.float64), offset))
            offset += len(terms)
        model = cls(blocks, coef, intercept, classes, metadata)
        model._specs, model._arrays, model._preprocess = specs, arrays, preprocess
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
        arrays = dict(self._arrays)
        arrays["coef"] = self._coef
        arrays["intercept"] = self._intercept
        arrays["header"] = np.array(json.dumps(self._header(), sort_keys=True))
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
                if header.get("format_version") != FORMAT_VERSION:
                    raise ModelFileError(
                        f"{name} uses serving format version {header.get('format_version')}; "
                        f"this stance reads version {FORMAT_VERSION}"
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
            model = cls._from_arrays(
                specs, arrays, coef, intercept, header["classes"], header.get("metadata"), header.get("preprocess")
            )
            n_features = sum(len(b.idf) for b in model._blocks)
            if coef.shape != (len(model.classes_) if len(model.classes_) > 2 else 1, n_features):
                raise ValueError(f"coefficients have shape {coef.shape} for {n_features} features")
        except (KeyError, TypeError, ValueError, AttributeError, re.error) as exc:
            raise ModelFileError(f"{name} is a damaged stance model file: {exc}") from None
        return model

    # -- prediction -------------------------------------------------------

    def _featurise(self, texts):
        """Sparse rows of all statements: (row pointers, columns, values)."""
        if self._masker is not None:
            texts = self._masker.transform(texts)
        indptr = [0]
        cols, vals = [], []
        for text in texts:
            for block in self._blocks:
                c, v = block.features(text)
                cols.append(c)
                vals.append(v)
            indptr.append(indptr[-1] + sum(len(c) for c in cols[-len(self._blocks):]))
        columns = np.concatenate(cols) if cols else np.empty(0, dtype=np.int64)
        values = np.concatenate(vals) if vals else np.empty(0)
        return np.asarray(indptr), columns, values

    def _decision(self, texts):
        scores = np.zeros((len(texts), self._coef_t.shape[1]))
        # Chunks bound the memory of the (n-grams x labels) contribution table.
        for start in range(0, len(texts), _CHUNK):
            indptr, columns, values = self._featurise(texts[start : start + _CHUNK])
            contributions = self._coef_t[columns] * values[:, None]
            nonempty = np.flatnonzero(np.diff(indptr))
            if len(nonempty):
                scores[start + nonempty] = np.add.reduceat(contributions, indptr[nonempty], axis=0)
        return scores + self._intercept

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
        scores = self._decision(texts)
        if scores.shape[1] == 1:  # binary logistic regression
            positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores

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
            if self._masker is not None:
                clipped = self._masker(clipped)
            for block in self._blocks:
                kind = "chars" if block.analyzer == "char_wb" else block.analyzer
                index, values, owners = block.attributed_features(clipped)
                weights = sign * self._coef[row, index] * values
                for weight, shares in zip(weights.tolist(), owners):
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
        if n_jobs in (None, 1) or len(texts) < 4 * _CHUNK:
            return super().predict_proba(texts)
        from joblib import Parallel, delayed, effective_n_jobs

        workers = max(1, min(effective_n_jobs(n_jobs), len(texts) // _CHUNK))
        bounds = np.linspace(0, len(texts), workers + 1).astype(int)
        source, model = (self._source, None) if self._source is not False else (False, self)
        parts = Parallel(n_jobs=workers)(
            delayed(_proba_in_worker)(source, model, texts[a:b]) for a, b in zip(bounds[:-1], bounds[1:])
        )
        return np.concatenate(parts)

    def __repr__(self):
        n_features = sum(len(b.idf) for b in self._blocks)
        return f"ServingModel(classes={[str(c) for c in self.classes_]}, n_features={n_features})"


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
