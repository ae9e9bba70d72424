"""Held-out evaluation: grouped cross-validation, metrics and parameter sweeps.

Every score here comes from splits that keep a corpus's ``group``s apart
(``StratifiedGroupKFold``), so statements written about one invented event
are never on both sides of a split.
"""

from __future__ import annotations

import itertools

from .corpus import LABELS

__all__ = [
    "metrics",
    "cross_validate",
    "sweep",
    "learning_curve",
    "bootstrap_ci",
    "baselines",
    "lexicon_predict",
    "calibration",
    "top_features",
    "worst_errors",
    "headline_markdown",
]


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


def bootstrap_ci(y_true, y_pred, *, labels=LABELS, n_boot=1000, level=0.95, random_state=0):
    """Bootstrap confidence intervals of per-label precision, recall, F1 and macro-F1.

    Statements are resampled with replacement ``n_boot`` times; each
    interval spans the middle ``level`` share of the resampled values.

    Parameters
    ----------
    y_true, y_pred : sequence of str
    labels : sequence of str, default=LABELS
    n_boot : int, default=1000
    level : float, default=0.95
    random_state : int, default=0

    Returns
    -------
    pandas.DataFrame
        Index: the labels and ``macro``; columns ``precision``, ``recall``,
        ``f1`` (point estimates on all statements) and ``f1_low``,
        ``f1_high`` (the interval), plus ``support``.
    """
    import numpy as np
    import pandas as pd

    labels = list(labels)
    index = {lab: i for i, lab in enumerate(labels)}
    t = np.array([index.get(v, -1) for v in y_true])
    p = np.array([index.get(v, -1) for v in y_pred])
    k = len(labels)

    def scores(tt, pp):
        # Per-label counts via bincount: fast enough for thousands of resamples.
        tp = np.bincount(tt[(tt == pp) & (tt >= 0)], minlength=k).astype(float)
        predicted = np.bincount(pp[pp >= 0], minlength=k).astype(float)
        actual = np.bincount(tt[tt >= 0], minlength=k).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            precision = np.where(predicted > 0, tp / predicted, 0.0)
            recall = np.where(actual > 0, tp / actual, 0.0)
            f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
        macro = f1[actual > 0].mean() if (actual > 0).any() else 0.0
        return precision, recall, f1, macro, actual

    precision, recall, f1, macro, actual = scores(t, p)
    rng = np.random.default_rng(random_state)
    boot_f1, boot_macro = [], []
    for _ in range(n_boot):
        sample = rng.integers(0, len(t), len(t))
        _, _, f, m, _ = scores(t[sample], p[sample])
        boot_f1.append(f)
        boot_macro.append(m)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(np.array(boot_f1), [tail, 100 - tail], axis=0)
    macro_low, macro_high = np.percentile(boot_macro, [tail, 100 - tail])
    table = pd.DataFrame(
        {"precision": precision, "recall": recall, "f1": f1, "f1_low": low, "f1_high": high, "support": actual.astype(int)},
        index=labels,
    )
    table.loc["macro"] = [np.nan, np.nan, macro, macro_low, macro_high, int(actual.sum())]
    table["support"] = table["support"].astype(int)
    return table


# The keyword rules the project started from (issue 3's baseline): a label
# for the first family of cue words found, else "other".
_LEXICON = (
    ("deny", ("groundless", "baseless", "fabricat", "innocent", "smear", "false", "reject", "deny", "denies", "denied")),
    ("accuse", ("accus", "alleg", "charged", "spied", "hacked", "was behind", "carried out")),
    ("warn", ("warn", "threat", "vigilan", "risk", "beware", "countermeasure", "consequence")),
)


def lexicon_predict(texts):
    """Label statements with the keyword rules stance was first compared to.

    Returns
    -------
    list of str
    """
    out = []
    for text in texts:
        lowered = text.lower()
        out.append(next((label for label, cues in _LEXICON if any(c in lowered for c in cues)), "other"))
    return out


def baselines(corpus, *, folds, params=None, known=None):
    """Out-of-fold macro-F1 of simple baselines and the shipped configuration, on the same folds.

    Parameters
    ----------
    corpus : pandas.DataFrame
    folds : list of (train_index, test_index)
    params : dict, optional
        Parameters of the shipped configuration (default: the defaults).
    known : dict of str to list, optional
        Out-of-fold predictions already computed on these folds (e.g.
        ``{"shipped configuration": ...}``), reused instead of refitting.

    Returns
    -------
    pandas.DataFrame
        One row per model: ``macro_f1``, ``accuracy`` and the per-label F1.
    """
    import numpy as np
    import pandas as pd

    from .model import StanceClassifier

    params = dict(params or {})
    labels = np.asarray(corpus["label"], dtype=object)
    texts = list(corpus["text"])
    rows = {}
    majority = np.empty(len(corpus), dtype=object)
    for train_index, test_index in folds:
        values, counts = np.unique(labels[train_index], return_counts=True)
        majority[test_index] = values[counts.argmax()]
    rows["majority class"] = list(majority)
    rows["keyword lexicon"] = lexicon_predict(texts)
    variants = {
        "word n-grams only": dict(params, char_ngram_range=None),
        "character n-grams only": dict(params, word_ngram_range=None, char_ngram_range=params.get("char_ngram_range") or (2, 5)),
        "shipped configuration": params,
    }
    for name, variant in variants.items():
        if known and name in known:
            rows[name] = list(known[name])
            continue
        rows[name] = cross_validate(StanceClassifier(**variant), corpus, folds=folds)["predictions"]
    table = []
    for name, predicted in rows.items():
        m = metrics(labels, predicted)
        table.append({"model": name, "macro_f1": m["macro_f1"], "accuracy": m["accuracy"],
                      **{f"f1_{lab}": m["per_label"][lab]["f1"] for lab in LABELS}})
    return pd.DataFrame(table).set_index("model")


def calibration(y_true, proba, *, labels=LABELS, n_bins=10):
    """Reliability of the top label's probability, Brier score and expected calibration error.

    Parameters
    ----------
    y_true : sequence of str
    proba : array of shape (n, len(labels))
        Probabilities, columns in ``labels`` order.
    labels : sequence of str
    n_bins : int, default=10
        Equal-width confidence bins on [0, 1].

    Returns
    -------
    dict
        ``bins`` (DataFrame: ``confidence``, ``accuracy``, ``count`` per
        non-empty bin), ``brier`` (mean over statements of the squared
        distance between the probability vector and the one-hot truth) and
        ``ece`` (count-weighted mean gap between confidence and accuracy).
    """
    import numpy as np
    import pandas as pd

    labels = list(labels)
    proba = np.asarray(proba, dtype=float)
    truth = np.array([labels.index(v) for v in y_true])
    onehot = np.eye(len(labels))[truth]
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == truth
    which = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    rows = []
    for b in range(n_bins):
        inside = which == b
        if inside.any():
            rows.append({"bin": f"{b / n_bins:.1f}-{(b + 1) / n_bins:.1f}", "confidence": confidence[inside].mean(),
                         "accuracy": correct[inside].mean(), "count": int(inside.sum())})
    bins = pd.DataFrame(rows).set_index("bin")
    ece = float((bins["count"] * (bins["confidence"] - bins["accuracy"]).abs()).sum() / len(truth))
    return {"bins": bins, "brier": float(((proba - onehot) ** 2).sum(axis=1).mean()), "ece": ece}


def top_features(model, n=15):
    """The n-grams with the largest coefficients for each label.

    Parameters
    ----------
    model : ServingModel or StanceClassifier
    n : int, default=15

    Returns
    -------
    pandas.DataFrame
        Columns: the labels; row ``i`` holds each label's ``i``-th strongest
        feature as ``'"word n-gram"'`` or ``'[char n-gram]'`` with its weight.
    """
    import numpy as np
    import pandas as pd

    serving = model.to_serving() if hasattr(model, "to_serving") else model
    names = []
    for name in serving.get_feature_names_out():
        analyzer, term = name.split("__", 1)
        names.append(f'"{term}"' if analyzer == "word" else f"[{term}]")
    coef = serving.coef_
    columns = {}
    for k, label in enumerate(serving.classes_):
        order = np.argsort(-coef[k])[:n]
        columns[str(label)] = [f"{names[j]} {coef[k, j]:+.2f}" for j in order]
    return pd.DataFrame(columns)


def worst_errors(corpus, proba, *, labels=LABELS, n=15):
    """The mistakes made with the most confidence.

    Parameters
    ----------
    corpus : pandas.DataFrame
        With ``text`` and ``label`` (and ``hard`` if present).
    proba : array of shape (len(corpus), len(labels))
        Out-of-fold probabilities.
    n : int, default=15

    Returns
    -------
    pandas.DataFrame
        ``text``, ``label``, ``predicted``, ``p_predicted``, ``p_label``,
        sorted by ``p_predicted``, highest first.
    """
    import numpy as np

    labels = list(labels)
    proba = np.asarray(proba)
    best = proba.argmax(axis=1)
    frame = corpus[["text", "label"]].copy()
    frame["predicted"] = [labels[i] for i in best]
    frame["p_predicted"] = proba[np.arange(len(proba)), best]
    frame["p_label"] = [proba[i, labels.index(lab)] for i, lab in enumerate(corpus["label"])]
    wrong = frame[frame["predicted"] != frame["label"]]
    return wrong.sort_values("p_predicted", ascending=False).head(n).reset_index(drop=True)


def headline_markdown(headline):
    """The README's table of headline figures, from the report's ``headline.json``.

    Parameters
    ----------
    headline : dict
        Written by the evaluation notebook: ``date``, ``corpus`` (size,
        groups), ``cv`` and optionally ``real`` (each with ``macro_f1``,
        ``low``, ``high``, ``n`` and ``per_label`` F1), ``baselines``
        (name → macro-F1).

    Returns
    -------
    str
        Markdown.
    """

    def row(name, part, how):
        return (
            f"| {name} | {part['macro_f1']:.3f} ({part['low']:.3f}-{part['high']:.3f}) | "
            + " | ".join(f"{part['per_label'][lab]:.2f}" for lab in LABELS)
            + f" | {how} |"
        )

    lines = [
        f"Figures from the [evaluation report](notebooks/evaluation.ipynb) ([HTML](notebooks/evaluation.html)) "
        f"of {headline['date']}, macro-F1 with bootstrap 95% intervals:",
        "",
        "| statements | macro-F1 (95% CI) | " + " | ".join(LABELS) + " | how |",
        "|---|---|" + "---|" * len(LABELS) + "---|",
        row(
            f"the corpus, {headline['corpus']['size']:,} statements in {headline['corpus']['groups']:,} groups",
            headline["cv"],
            "5-fold grouped cross-validation",
        ),
    ]
    if headline.get("real"):
        lines.append(
            row(
                f"{headline['real']['n']} real, verbatim public statements (development set, not shipped)",
                headline["real"],
                "bundled model",
            )
        )
    if headline.get("baselines"):
        shown = ", ".join(f"{name} {value:.3f}" for name, value in headline["baselines"].items())
        lines += ["", f"Baselines on the same folds (macro-F1): {shown}."]
    return "\n".join(lines)
