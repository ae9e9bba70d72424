"""The ``stance`` command line.

Exit status: 0 on success, 2 on a usage error, 1 on a data error (an
unreadable corpus or model file); errors are one line on standard error, not
a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import sys

from . import __version__
from .exceptions import CorpusError, ModelFileError

__all__ = ["main"]

_DEFAULT_DATA = pathlib.Path("datasets") / "statements.csv"
_DEFAULT_OUT = pathlib.Path("models") / "stance-model.joblib"

# What `stance train --tune` searches. The corpus is balanced, so class
# weights barely matter; n-gram ranges and regularisation do.
_TUNING_GRID = {
    "word_ngram_range": [(1, 2), (1, 3)],
    "char_ngram_range": [None, (2, 5)],
    "C": [3.0, 10.0, 30.0],
}


class _DataError(Exception):
    """A problem with the user's data: exit status 1."""


def _format_metrics(summary):
    lines = [f"{'label':8} {'prec':>6} {'recall':>6} {'f1':>6} {'n':>5}"]
    for label, row in summary["per_label"].items():
        lines.append(f"{label:8} {row['precision']:6.3f} {row['recall']:6.3f} {row['f1']:6.3f} {row['support']:5d}")
    lines.append(f"macro-F1 {summary['macro_f1']:.3f}  accuracy {summary['accuracy']:.3f}  on {summary['n']} statements")
    return "\n".join(lines)


def _cmd_train(args):
    from .model import DEFAULT_PARAMS, train

    data = args.data
    if data is None:
        data = str(_DEFAULT_DATA) if _DEFAULT_DATA.is_file() else None
    out = pathlib.Path(args.out) if args.out else _DEFAULT_OUT
    if not out.parent.is_dir():
        raise _DataError(f"output folder {out.parent} does not exist (run from the repository root or pass --out)")
    params, selection = {}, None
    if args.tune:
        from .corpus import load_corpus
        from .evaluation import sweep

        grid = _TUNING_GRID
        count = math.prod(len(values) for values in grid.values())
        print(f"sweeping {count} configurations with {args.cv}-fold grouped CV ...", file=sys.stderr)
        rows = sweep(
            load_corpus(data), grid, n_splits=args.cv, random_state=args.seed, base_params=DEFAULT_PARAMS, n_jobs=args.jobs
        )
        best = rows[0]
        params = {k: (tuple(v) if isinstance(v, list) else v) for k, v in best.items() if k in grid}
        selection = {
            "method": f"grid search, {args.cv}-fold StratifiedGroupKFold (seed {args.seed}), highest out-of-fold macro-F1",
            "grid": {k: [list(v) if isinstance(v, tuple) else v for v in vals] for k, vals in grid.items()},
            "results": rows,
        }
        print("best: " + ", ".join(f"{k}={v}" for k, v in params.items()) + f" (macro-F1 {best['macro_f1']:.3f})", file=sys.stderr)
    model = train(data, cv=args.cv, random_state=args.seed, selection=selection, **params)
    metrics = model.metadata_["heldout_metrics"]
    if metrics:
        print(f"held-out metrics ({args.cv}-fold grouped cross-validation):")
        print(_format_metrics(metrics))
    model.save(out)
    print(f"wrote {out}, {out.with_suffix('.npz')} and {out.with_suffix('.json')}")
    return 0


def _read_statements(args):
    if args.text:
        return list(args.text)
    if sys.stdin is None or sys.stdin.isatty():
        raise SystemExit(_usage_error("give statements as arguments or one per line on standard input"))
    return [line.rstrip("\r\n") for line in sys.stdin]


def _usage_error(message):
    print(f"stance: error: {message}", file=sys.stderr)
    return 2


def _cmd_predict(args):
    from ._api import predict_proba
    from .persistence import load

    model = load(args.model)
    texts = _read_statements(args)
    rows = predict_proba(texts, model=model)
    labels = [str(c) for c in model.classes_]
    out = sys.stdout
    if args.format == "jsonl":
        for text, row in zip(texts, rows):
            out.write(json.dumps({"text": text, "stance": max(row, key=row.get), **{f"p_{k}": v for k, v in row.items()}}, ensure_ascii=False) + "\n")
    elif args.format == "csv":
        import csv

        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["text", "stance"] + [f"p_{k}" for k in labels])
        for text, row in zip(texts, rows):
            writer.writerow([text, max(row, key=row.get)] + [f"{row[k]:.6f}" for k in labels])
    else:
        for text, row in zip(texts, rows):
            probs = "  ".join(f"{k} {row[k]:.2f}" for k in labels)
            out.write(f"{max(row, key=row.get):7} {probs}  {text[:80]}\n")
    return 0


def _cmd_info(args):
    from .persistence import read_card

    card = read_card(args.model)
    if args.json:
        print(json.dumps(card, indent=2, sort_keys=True))
        return 0
    print(f"stance {card.get('stance_version')} model, trained {card.get('trained_at')} with scikit-learn {card.get('sklearn_version')}")
    print(f"labels: {', '.join(card.get('labels', []))}")
    print(f"corpus: {card.get('corpus_size')} statements in {card.get('corpus_groups')} groups, SHA-256 {card.get('corpus_sha256')}")
    print("params: " + ", ".join(f"{k}={v}" for k, v in (card.get("params") or {}).items()))
    if card.get("heldout_metrics"):
        print(f"held-out metrics ({card['cv']['n_splits']}-fold grouped cross-validation):")
        print(_format_metrics(card["heldout_metrics"]))
    return 0


def _cmd_validate(args):
    from .corpus import LABELS, load_corpus, validate_corpus

    data = args.data
    if data is None:
        data = str(_DEFAULT_DATA) if _DEFAULT_DATA.is_file() else None
    frame = load_corpus(data, schema="minimal" if args.minimal else "full")
    problems = validate_corpus(frame, schema="minimal" if args.minimal else "full", near_duplicates=True)
    if problems:
        raise CorpusError(problems, source=data or "bundled corpus")
    print(f"valid: {len(frame)} statements in {frame['group'].nunique()} groups, no near-copies (similarity < 0.85)")
    counts = frame["label"].value_counts()
    print("labels: " + ", ".join(f"{lab} {int(counts.get(lab, 0))}" for lab in LABELS))
    for column in ("country", "speaker_type", "topic", "register"):
        if column in frame.columns:
            values = frame[column].value_counts()
            print(f"{column}: {len(values)} distinct; " + ", ".join(f"{k} {v}" for k, v in values.head(12).items()) + (" ..." if len(values) > 12 else ""))
    if "hard" in frame.columns:
        hard = (frame["hard"].astype(str) == "1").sum()
        print(f"hard cases: {hard} ({hard / len(frame):.1%})")
    words = frame["text"].str.split().str.len()
    print(f"length in words: min {words.min()}, median {int(words.median())}, max {words.max()}")
    if args.tables:
        print(_count_tables(frame, words))
    return 0


def _markdown(table):
    header = "| " + " | ".join([str(table.index.name or "")] + [str(c) for c in table.columns]) + " |"
    rule = "|" + "---|" * (len(table.columns) + 1)
    rows = ["| " + " | ".join([str(i)] + [str(v) for v in row]) + " |" for i, row in zip(table.index, table.to_numpy())]
    return "\n".join([header, rule, *rows])


def _count_tables(frame, words):
    """Markdown count tables of a corpus (label by country, topic, register; lengths)."""
    import pandas as pd

    from .corpus import LABELS

    parts = []
    for column, limit in (("country", 30), ("topic", None), ("register", None), ("speaker_type", None)):
        if column not in frame.columns:
            continue
        table = pd.crosstab(frame[column], frame["label"]).reindex(columns=list(LABELS), fill_value=0)
        table["total"] = table.sum(axis=1)
        table = table.sort_values("total", ascending=False)
        title = f"### label by {column}"
        if limit and len(table) > limit:
            rest = table.iloc[limit:].sum()
            rest.name = f"{len(table) - limit} others"
            table = pd.concat([table.iloc[:limit], rest.to_frame().T])
            title += f" (top {limit})"
        table.index.name = column
        parts.append(f"{title}\n\n{_markdown(table)}")
    bins = [0, 10, 15, 20, 25, 30, 40, 60, 10_000]
    names = ["1-10", "11-15", "16-20", "21-25", "26-30", "31-40", "41-60", "61+"]
    lengths = pd.crosstab(pd.cut(words, bins=bins, labels=names), frame["label"]).reindex(columns=list(LABELS), fill_value=0)
    lengths.index.name = "words"
    parts.append(f"### length in words\n\n{_markdown(lengths)}")
    return "\n\n".join(parts)


def _parser():
    parser = argparse.ArgumentParser(prog="stance", description="Tag official statements as accuse, deny, warn or other.")
    parser.add_argument("--version", action="version", version=f"stance {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("predict", help="label statements given as arguments or on standard input")
    p.add_argument("text", nargs="*", help="statements (default: one per line on standard input)")
    p.add_argument("--model", help="a model file (.npz); default: the bundled model")
    p.add_argument("--format", choices=("table", "csv", "jsonl"), default="table")
    p.set_defaults(func=_cmd_predict)

    p = sub.add_parser("train", help="rebuild a model from a labelled CSV and report held-out metrics")
    p.add_argument("--data", help=f"labelled CSV (default: {_DEFAULT_DATA} if present, else the bundled corpus)")
    p.add_argument("--out", help=f"model path (default: {_DEFAULT_OUT}); .npz and .json files go beside it")
    p.add_argument("--cv", type=int, default=5, help="grouped cross-validation folds for held-out metrics (0: skip)")
    p.add_argument("--seed", type=int, default=0, help="seed of the fold assignment")
    p.add_argument("--tune", action="store_true", help="choose parameters by a grouped cross-validated grid search first")
    p.add_argument("--jobs", type=int, default=1, help="configurations tried in parallel with --tune")
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("info", help="show a model's card: versions, corpus hash, training date, metrics")
    p.add_argument("--model", help="a model file or its card; default: the bundled model")
    p.add_argument("--json", action="store_true", help="print the whole card as JSON")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("validate", help="check a corpus (columns, labels, ids, near-copies) and print its counts")
    p.add_argument("--data", help=f"corpus CSV (default: {_DEFAULT_DATA} if present, else the bundled corpus)")
    p.add_argument("--minimal", action="store_true", help="require only id, text and label columns")
    p.add_argument("--tables", action="store_true", help="also print Markdown count tables (as in the datasheet)")
    p.set_defaults(func=_cmd_validate)
    return parser


def main(argv=None):
    """Run the ``stance`` command line; return the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "train" and (args.cv == 1 or args.cv < 0):
        return _usage_error("--cv must be 0 (skip) or at least 2")
    try:
        return args.func(args)
    except (CorpusError, ModelFileError, _DataError) as exc:
        print(f"stance: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("stance: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `stance predict ... | head`): not an error.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
