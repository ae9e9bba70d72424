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
from .exceptions import CorpusError, InputFileError, ModelFileError
from .files import OUTPUT_FORMATS

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


def _usage_error(message):
    print(f"stance: error: {message}", file=sys.stderr)
    return 2


class _UsageError(Exception):
    """A bad combination of options: exit status 2."""


# Statements labelled per step when streaming a file: large enough for the
# batch path to pay off, small enough that memory stays flat.
_CHUNK_ROWS = 2000


def _output_format(args):
    if args.format:
        return args.format
    if args.output and args.output != "-":
        from .files import format_of

        fmt = format_of(args.output, "csv")
        return "csv" if fmt == "text" else fmt
    return "table" if sys.stdout.isatty() else "csv"


def _progress(args, source):
    """A progress bar on a terminal's standard error, else nothing."""
    if source.path == "-" or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(desc=f"stance {source.name}", unit=" statements", file=sys.stderr, dynamic_ncols=True)


def _label_stream(model, source, writer_for, args):
    """Label ``source`` chunk by chunk and write each chunk as it is done."""
    from ._api import label_rows

    bar = _progress(args, source)
    writer, chunk = None, []

    def flush():
        nonlocal writer
        if writer is None:
            writer = writer_for(source.columns)
        rows = label_rows([text for _, _, text in chunk], model=model, min_confidence=args.min_confidence)
        for (_, record, text), added in zip(chunk, rows):
            if args.explain:
                added["explanation"] = model.explain(text, top=args.top).summary()
            writer.write(record, added)
        if bar is not None:
            bar.update(len(chunk))
        chunk.clear()

    try:
        for item in source.records():
            chunk.append(item)
            if len(chunk) >= _CHUNK_ROWS:
                flush()
        if chunk or writer is None:
            flush()
    finally:
        if bar is not None:
            bar.close()


def _added_columns(model, args):
    added = ["stance"] + [f"p_{c}" for c in model.classes_]
    return added + (["explanation"] if getattr(args, "explain", False) else [])


def _cmd_predict(args):
    from .files import RowWriter, StatementSource, open_output
    from .persistence import load

    if args.input and args.text:
        raise _UsageError("give statements as arguments or with --input, not both")
    if args.input:
        source = StatementSource(args.input, args.input_format, args.column, args.encoding)
    elif args.text:
        source = _ArgumentSource(args.text)
    else:
        if sys.stdin is None or sys.stdin.isatty():
            raise _UsageError("give statements as arguments, with --input FILE, or one per line on standard input")
        source = StatementSource("-", "text", None, args.encoding)
    if args.scheduler:
        return _predict_on_cluster(args)
    if args.column and source.format not in ("csv", "tsv", "jsonl"):
        raise _UsageError("--column applies to CSV, TSV and JSON Lines input")
    model = load(args.model)
    fmt = _output_format(args)
    with open_output(args.output) as fh:
        _label_stream(model, source, lambda columns: RowWriter(fh, fmt, columns, _added_columns(model, args)), args)
    return 0


def _predict_on_cluster(args):
    if not args.input or not args.output:
        raise _UsageError("--scheduler needs --input (Parquet or CSV files) and --output (a folder for Parquet)")
    if args.explain or args.format:
        raise _UsageError("--scheduler writes Parquet; --explain and --format do not apply")
    try:
        from .distributed import label_files
    except ImportError:
        raise _UsageError('--scheduler needs the dask extra: pip install "stance[dask]"') from None
    try:
        rows = label_files(
            args.input, args.output, scheduler=args.scheduler, column=args.column or "text", model=args.model,
            min_confidence=args.min_confidence,
        )
    except (FileExistsError, FileNotFoundError, KeyError) as exc:
        raise _DataError(str(exc).strip("'\"")) from None
    print(f"labelled {rows} statements into {args.output}", file=sys.stderr)
    return 0


class _ArgumentSource:
    """Statements given on the command line, as a one-column source."""

    format = "arguments"
    path = "-"

    def __init__(self, texts):
        self.texts = texts
        self.columns, self.column = ["text"], "text"

    def records(self):
        for number, text in enumerate(self.texts, start=1):
            yield number, [text], text


def _cmd_tag(args):
    from .documents import tag
    from .files import RowWriter, StatementSource, open_output
    from .persistence import load

    source = StatementSource(args.document, "text", None, args.encoding)
    document = source.read_all()
    if not document.strip():
        raise InputFileError("the document is empty", source.name)
    model = load(args.model)
    rows = tag(document, model=model, min_confidence=args.min_confidence)
    with open_output(args.output) as fh:
        writer = RowWriter(fh, _output_format(args), ["start", "end", "text"], _added_columns(model, args))
        for row in rows:
            span = {key: row.pop(key) for key in ("start", "end", "text")}
            writer.write(span, row)
    return 0


def _cmd_explain(args):
    from .persistence import load

    model = load(args.model)
    explanations = [model.explain(text, top=args.top, label=args.label) for text in args.text]
    for explanation in explanations:
        if args.json:
            print(json.dumps(explanation.to_dict(), ensure_ascii=False))
        else:
            print(explanation.text)
            print(explanation)
    return 0


def _cmd_evaluate(args):
    from .corpus import LABELS
    from .evaluation import metrics
    from .files import StatementSource
    from .persistence import load

    source = StatementSource(args.data, args.input_format or None, args.column, args.encoding)
    if source.format == "text":
        raise _UsageError("--data must be CSV, TSV or JSON Lines with a text and a label column")
    model = load(args.model)
    known = [str(c) for c in model.classes_]
    texts, gold = [], []
    for line, record, text in source.records():
        if not gold and args.label_column not in source.columns:
            raise InputFileError(
                f"no label column {args.label_column!r}; the columns are {', '.join(map(repr, source.columns))}",
                source.name,
                1,
            )
        label = record.get(args.label_column) if isinstance(record, dict) else record[source.columns.index(args.label_column)]
        label = label.strip() if isinstance(label, str) else label
        if label not in known:
            raise InputFileError(f"unknown label {label!r}; the labels are {', '.join(known)}", source.name, line, args.label_column)
        texts.append(text)
        gold.append(label)
    if not texts:
        raise InputFileError("no statements to evaluate", source.name)
    labels = [lab for lab in LABELS if lab in known] + [lab for lab in known if lab not in LABELS]
    summary = metrics(gold, model.predict(texts), labels=labels)
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(_format_metrics(summary))
    print("\nconfusion (rows: true label, columns: predicted)")
    print(" " * 9 + " ".join(f"{lab[:7]:>7}" for lab in labels))
    for lab, row in zip(labels, summary["confusion"]):
        print(f"{lab:8} " + " ".join(f"{c:7d}" for c in row))
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


def _probability(value):
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, not {value}")
    return number


def _add_output_options(p):
    p.add_argument("-o", "--output", metavar="FILE", help="write here (default: standard output); written only on success")
    p.add_argument(
        "--format",
        choices=OUTPUT_FORMATS,
        help="default: table on a terminal, else from the --output suffix, else csv",
    )
    p.add_argument("--min-confidence", type=_probability, metavar="P", help="label 'uncertain' under this probability")
    p.add_argument("--model", help="a model file (.npz); default: the bundled model")


def _parser():
    parser = argparse.ArgumentParser(prog="stance", description="Tag official statements as accuse, deny, warn or other.")
    parser.add_argument("--version", action="version", version=f"stance {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("predict", help="label statements from arguments, a file or standard input")
    p.add_argument("text", nargs="*", help="statements (default: --input, or one per line on standard input)")
    p.add_argument("-i", "--input", metavar="FILE", help="CSV, TSV, JSON Lines or text file (- for standard input)")
    p.add_argument("--input-format", choices=("csv", "tsv", "jsonl", "text"), help="default: from the file suffix, else text")
    p.add_argument("--column", metavar="NAME", help="the text column of tabular input (default: text)")
    p.add_argument("--encoding", default="utf-8", help="input encoding (default: utf-8)")
    _add_output_options(p)
    p.add_argument("--explain", action="store_true", help="add the n-grams that weighed most for each label")
    p.add_argument("--top", type=int, default=5, help="n-grams listed by --explain (default: 5)")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="label Parquet/CSV files (--input may be a glob) on a Dask cluster, or 'local'; writes Parquet to --output",
    )
    p.set_defaults(func=_cmd_predict)

    p = sub.add_parser("tag", help="split a document into sentences and label each one")
    p.add_argument("document", help="a text file, or - for standard input")
    p.add_argument("--encoding", default="utf-8", help="document encoding (default: utf-8)")
    _add_output_options(p)
    p.set_defaults(func=_cmd_tag)

    p = sub.add_parser("explain", help="show the n-grams behind a statement's label, with their exact weights")
    p.add_argument("text", nargs="+", help="statements")
    p.add_argument("--top", type=int, default=10, help="n-grams to list (default: 10)")
    p.add_argument("--label", help="explain this label instead of the predicted one")
    p.add_argument("--model", help="a model file (.npz); default: the bundled model")
    p.add_argument("--json", action="store_true", help="one JSON object per statement")
    p.set_defaults(func=_cmd_explain)

    p = sub.add_parser("evaluate", help="score a model on a labelled file: metrics and confusion matrix")
    p.add_argument("--data", required=True, metavar="FILE", help="CSV, TSV or JSON Lines with text and label columns")
    p.add_argument("--input-format", choices=("csv", "tsv", "jsonl"), help="default: from the file suffix")
    p.add_argument("--column", metavar="NAME", help="the text column (default: text)")
    p.add_argument("--label-column", default="label", metavar="NAME", help="the label column (default: label)")
    p.add_argument("--encoding", default="utf-8", help="input encoding (default: utf-8)")
    p.add_argument("--model", help="a model file (.npz); default: the bundled model")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(func=_cmd_evaluate)

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
    if getattr(args, "top", 0) is not None and getattr(args, "top", 0) < 0:
        return _usage_error("--top must be 0 or more")
    try:
        return args.func(args)
    except _UsageError as exc:
        return _usage_error(str(exc))
    except (CorpusError, ModelFileError, InputFileError, _DataError) as exc:
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
