"""Held-out evaluation: grouped cross-validation, metrics and parameter sweeps.

Every score here comes from splits that keep a corpus's ``group``s apart
(``StratifiedGroupKFold``), so statements written about one invented event
are never on both sides of a split.
"""

from __future__ import annotations

import itertools

from .corpus import LABELS

__all__ = ["metrics", "cross_validate", "sweep", "learning_curve"]


def metrics(y_true, y_pred, labels=LABELS):
    """Per-label precision, recall and F1, macro-F1, accuracy and confusion.

    Parameters
    ----------
    y_true, y_pred : list of str
    labels : sequence of str, default=LABELS
        Order of the per-label entries and of the confusion matrix.

    Returns
    -------
    dict
        ``macro_f1``, ``accuracy``, ``n``, ``per_label`` (label →
        precision, recall, f1, support) and ``confusion`` (rows: true label,
        columns: predicted label, both in ``labels`` order).
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    labels = list(labels)
    y_true, y_pred = list(y_true), list(y_pred)
    present = [lab for lab in labels if lab in set(y_true)]
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    per_label = {
        lab: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
        for i, lab in enumerate(labels)
    }
    return {
        "macro_f1": float(sum(per_label[lab]["f1"] for lab in present) / len(present)) if present else 0.0,
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "n": len(y_true),
        "per_label": per_label,
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        "labels": labels,
    }


def _folds(corpus, n_splits, random_state):
    from sklearn.model_selection import StratifiedGroupKFold

    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    return list(splitter.split(corpus["text"], corpus["label"], groups=corpus["group"]))


def cross_validate(model, corpus, *, n_splits=5, random_state=0, folds=None):
    """Out-of-fold predictions and metrics from grouped cross-validation.

    Parameters
    ----------
    model : StanceClassifier
        Cloned (unfitted) for each fold.
    corpus : pandas.DataFrame
        As returned by :func:`stance.corpus.load_corpus`.
    n_splits : int, default=5
    random_state : int, default=0
        Seed of the fold assignment.
    folds : list of (train_index, test_index), optional
        Precomputed folds, so that several models are compared on the same
        splits.

    Returns
    -------
    dict
        ``summary``: :func:`metrics` of the out-of-fold predictions plus
        ``fold_macro_f1`` (one value per fold); ``predictions``: out-of-fold
        labels; ``proba``: out-of-fold probabilities (columns in LABELS
        order).
    """
    import numpy as np
    from sklearn.base import clone

    folds = folds if folds is not None else _folds(corpus, n_splits, random_state)
    texts = np.asarray(corpus["text"], dtype=object)
    labels = np.asarray(corpus["label"], dtype=object)
    predictions = np.empty(len(corpus), dtype=object)
    proba = np.zeros((len(corpus), len(LABELS)))
    fold_scores = []
    for train_index, test_index in folds:
        fitted = clone(model).fit(list(texts[train_index]), list(labels[train_index]))
        p = fitted.predict_proba(list(texts[test_index]))
        order = [list(fitted.classes_).index(lab) if lab in fitted.classes_ else None for lab in LABELS]
        for j, k in enumerate(order):
            if k is not None:
                proba[test_index, j] = p[:, k]
        predictions[test_index] = [str(fitted.classes_[i]) for i in p.argmax(axis=1)]
        fold_scores.append(metrics(labels[test_index], predictions[test_index])["macro_f1"])
    summary = metrics(labels, predictions)
    summary["fold_macro_f1"] = [float(s) for s in fold_scores]
    return {"summary": summary, "predictions": list(predictions), "proba": proba}


def sweep(corpus, grid, *, n_splits=5, random_state=0, base_params=None, n_jobs=None):
    """Grouped cross-validation of every combination of parameters in ``grid``.

    Parameters
    ----------
    corpus : pandas.DataFrame
    grid : dict of str to list
        Parameter name of :class:`~stance.StanceClassifier` → values to try.
    n_splits, random_state
        As for :func:`cross_validate`; all combinations share the same folds.
    base_params : dict, optional
        Parameters held fixed.
    n_jobs : int or None
        Combinations evaluated in parallel (joblib); results do not depend on it.

    Returns
    -------
    list of dict
        One row per combination: its parameters, ``macro_f1``, ``accuracy``
        and ``macro_f1_std`` across folds, best first (ties keep grid order).
    """
    import numpy as np
    from joblib import Parallel, delayed

    from .model import StanceClassifier

    folds = _folds(corpus, n_splits, random_state)
    names = list(grid)
    combos = list(itertools.product(*(grid[n] for n in names)))

    def run(values):
        params = dict(base_params or {}, **dict(zip(names, values)))
        return cross_validate(StanceClassifier(**params), corpus, folds=folds)["summary"]

    results = Parallel(n_jobs=n_jobs)(delayed(run)(values) for values in combos)
    rows = [
        {
            **{n: (list(v) if isinstance(v, tuple) else v) for n, v in zip(names, values)},
            "macro_f1": result["macro_f1"],
            "macro_f1_std": float(np.std(result["fold_macro_f1"])),
            "accuracy": result["accuracy"],
        }
        for values, result in zip(combos, results)
    ]
    return sorted(rows, key=lambda r: -r["macro_f1"])


def learning_curve(corpus, fractions=(0.125, 0.25, 0.5, 0.75, 1.0), *, external=None, random_state=0, params=None):
    """Macro-F1 against training-set size.

    One grouped fold (a fifth of the groups) is held out; models are fitted
    on growing shares of the remaining groups, drawn in one fixed random
    order so that each training set contains the previous one.

    Parameters
    ----------
    corpus : pandas.DataFrame
    fractions : sequence of float
        Shares of the training groups to fit on.
    external : pandas.DataFrame, optional
        Another labelled set (``text``, ``label``), e.g. real statements,
        scored by every model too.
    random_state : int, default=0
    params : dict, optional
        Parameters of :class:`~stance.StanceClassifier`.

    Returns
    -------
    list of dict
        ``n_statements``, ``heldout_macro_f1`` and, with ``external``,
        ``external_macro_f1`` for each fraction.
    """
    import numpy as np

    from .model import StanceClassifier

    train_index, test_index = _folds(corpus, 5, random_state)[0]
    train, test = corpus.iloc[train_index], corpus.iloc[test_index]
    groups = np.array(sorted(set(train["group"])))
    np.random.default_rng(random_state).shuffle(groups)
    rows = []
    for fraction in fractions:
        chosen = set(groups[: max(1, int(round(fraction * len(groups))))])
        part = train[train["group"].isin(chosen)]
        model = StanceClassifier(**(params or {})).fit(list(part["text"]), list(part["label"]))
        row = {
            "fraction": float(fraction),
            "n_statements": int(len(part)),
            "heldout_macro_f1": metrics(test["label"], model.predict(list(test["text"])))["macro_f1"],
        }
        if external is not None:
            row["external_macro_f1"] = metrics(external["label"], model.predict(list(external["text"])))["macro_f1"]
        rows.append(row)
    return rows
