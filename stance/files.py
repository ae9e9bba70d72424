"""Statements in files and streams: read in chunks, write labelled rows atomically.

Used by ``stance predict --input`` and ``stance tag``. Input is read line by
line from bytes, so memory stays flat on files of any length and every error
names the file, the line and the column; output goes to a temporary file
beside the target that is renamed into place only when the whole input has
been labelled.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import pathlib
import sys
import tempfile

from ._base import MAX_CHARS
from .persistence import _umask
from .exceptions import InputFileError

__all__ = ["INPUT_FORMATS", "OUTPUT_FORMATS", "StatementSource", "open_output", "RowWriter"]

#: Input formats and the file name suffixes that imply them.
INPUT_FORMATS = {"csv": (".csv",), "tsv": (".tsv", ".tab"), "jsonl": (".jsonl", ".ndjson"), "text": (".txt",)}
#: Output formats; ``table`` is for reading on a terminal.
OUTPUT_FORMATS = ("table", "csv", "tsv", "jsonl")

# A field longer than any allowed statement still has to be read before it
# can be reported, so the csv module's limit sits above MAX_CHARS.
csv.field_size_limit(max(csv.field_size_limit(), 4 * MAX_CHARS))


def format_of(path, default):
    """The format implied by a file name's suffix, else ``default``."""
    suffix = pathlib.Path(str(path)).suffix.lower()
    for name, suffixes in INPUT_FORMATS.items():
        if suffix in suffixes:
            return name
    return default


class StatementSource:
    """Rows of statements from a file or a stream.

    Parameters
    ----------
    path : str
        A file, or ``"-"`` for standard input.
    fmt : {"csv", "tsv", "jsonl", "text"}, optional
        Default: from the suffix, else ``text``.
    column : str, optional
        The text column of tabular input; default ``text``, or the only
        column if there is just one.
    encoding : str, default="utf-8"
        A byte-order mark is skipped.

    Attributes
    ----------
    columns : list of str
        The input's columns, in order (known once :meth:`records` has read
        the header or first record). Plain text has ``line`` and ``text``.
    column : str
        The column holding the statements.
    """

    def __init__(self, path, fmt=None, column=None, encoding="utf-8"):
        self.path = str(path)
        self.name = "<stdin>" if self.path == "-" else self.path
        self.format = fmt or format_of(self.path, "text")
        self.requested_column = column
        self.encoding = encoding
        self.column = None
        self.columns = None

    # -- reading ----------------------------------------------------------

    def _error(self, message, line=None, column=None):
        return InputFileError(message, self.name, line, column)

    def _lines(self, raw):
        """Decoded lines of a binary stream, each with its line number."""
        import codecs

        try:
            codecs.lookup(self.encoding)
        except LookupError:
            raise self._error(f"unknown encoding {self.encoding!r}") from None
        encoding = "utf-8-sig" if self.encoding.lower().replace("_", "-") in ("utf-8", "utf8") else self.encoding
        for number, data in enumerate(raw, start=1):
            try:
                yield number, data.decode(encoding if number == 1 else self.encoding)
            except UnicodeDecodeError as exc:
                raise self._error(
                    f"cannot decode byte {data[exc.start:exc.start + 1]!r} at position {exc.start + 1} as "
                    f"{self.encoding} (save the file as UTF-8, or pass --encoding)",
                    number,
                ) from None

    def read_all(self):
        """The whole input as one string (for documents), decoded line by line
        so that an encoding error still names its line."""
        with self._open_binary() as raw:
            return "".join(line for _, line in self._lines(raw))

    def _check_text(self, text, line):
        if not isinstance(text, str):
            shown = "null" if text is None else type(text).__name__
            raise self._error(f"the statement is {shown}, not a string", line, self.column)
        if len(text) > MAX_CHARS:
            raise self._error(
                f"the statement is {len(text):,} characters long, over the maximum of {MAX_CHARS:,} "
                "(is a quotation mark left open? split long documents with `stance tag`)",
                line,
                self.column,
            )
        return text

    def records(self):
        """Yield ``(line, record, text)`` for every row.

        ``record`` is a list of values for CSV/TSV and text input and a dict
        for JSON Lines; ``text`` is the statement.

        Raises
        ------
        InputFileError
            On an empty file, a missing column, undecodable bytes, a
            malformed record, or a statement over :data:`MAX_CHARS`.
        """
        with self._open_binary() as raw:
            lines = self._lines(raw)
            if self.format in ("csv", "tsv"):
                yield from self._tabular(lines)
            elif self.format == "jsonl":
                yield from self._jsonl(lines)
            else:
                yield from self._text(lines)

    @contextlib.contextmanager
    def _open_binary(self):
        if self.path == "-":
            yield sys.stdin.buffer
            return
        try:
            fh = open(self.path, "rb")
        except FileNotFoundError:
            raise self._error("no such file") from None
        except IsADirectoryError:
            raise self._error("is a folder, not a file") from None
        except OSError as exc:
            raise self._error(f"cannot open: {exc.strerror}") from None
        with fh:
            yield fh

    def _tabular(self, lines):
        numbered = _Numbered(lines)
        reader = csv.reader(numbered, delimiter="," if self.format == "csv" else "\t", strict=True)
        start = 1
        try:
            header = next(reader, None)
            if header is None:
                raise self._error("the file is empty")
            self.columns = header
            self.column = self._choose_column(header)
            index = header.index(self.column)
            while True:
                start = numbered.line + 1
                record = next(reader, None)
                if record is None:
                    return
                if not record:
                    continue  # a blank line between records
                if len(record) != len(header):
                    raise self._error(
                        f"{len(record)} fields where the header has {len(header)} (a stray delimiter or quote?)", start
                    )
                yield start, record, self._check_text(record[index], start)
        except csv.Error as exc:
            raise self._error(f"malformed {self.format.upper()}: {exc}", start) from None

    def _choose_column(self, columns):
        wanted = self.requested_column
        if wanted is None:
            if "text" in columns:
                return "text"
            if len(columns) == 1:
                return columns[0]
            raise self._error(
                f"no column 'text'; the columns are {', '.join(map(repr, columns))}; choose one with --column", 1
            )
        if wanted not in columns:
            raise self._error(f"no column {wanted!r}; the columns are {', '.join(map(repr, columns))}", 1)
        return wanted

    def _jsonl(self, lines):
        seen = False
        for number, line in lines:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise self._error(f"not valid JSON ({exc.msg} at character {exc.colno})", number) from None
            if not isinstance(record, dict):
                raise self._error(f"a JSON {type(record).__name__} where an object was expected", number)
            if not seen:
                seen = True
                self.columns = list(record)
                self.column = self._choose_column(self.columns)
            if self.column not in record:
                raise self._error("the record has no such key", number, self.column)
            yield number, record, self._check_text(record[self.column], number)
        if not seen:
            raise self._error("the file is empty")

    def _text(self, lines):
        self.columns, self.column = ["line", "text"], "text"
        seen = False
        for number, line in lines:
            seen = True
            text = line.rstrip("\r\n")
            if text.strip():
                yield number, [str(number), text], self._check_text(text, number)
        if not seen and self.path != "-":
            raise self._error("the file is empty")


class _Numbered:
    """Feeds decoded lines to ``csv.reader``, remembering the last line number."""

    def __init__(self, lines):
        self._lines = lines
        self.line = 0

    def __iter__(self):
        return self

    def __next__(self):
        self.line, text = next(self._lines)
        return text


def _cell(value):
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class RowWriter:
    """Writes input rows with the labels added, in one output format.

    Tabular output keeps every input column and appends ``stance`` and the
    ``p_<label>`` columns (a column already called so is overwritten in
    place), plus ``explanation`` when asked for.
    """

    def __init__(self, fh, fmt, columns, added):
        self.fh, self.format = fh, fmt
        self.columns = list(columns) + [c for c in added if c not in columns]
        self._positions = {c: i for i, c in enumerate(self.columns)}
        self._csv = None
        if fmt in ("csv", "tsv"):
            self._csv = csv.writer(fh, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
            self._csv.writerow(self.columns)

    def write(self, record, added):
        """Write one row: the input ``record`` (list or dict) and the ``added`` values."""
        if self.format == "jsonl":
            out = dict(record) if isinstance(record, dict) else dict(zip(self.columns, record))
            out.update(added)
            self.fh.write(json.dumps(out, ensure_ascii=False) + "\n")
            return
        if isinstance(record, dict):
            row = [_cell(record.get(c)) for c in self.columns]
        else:
            row = list(record) + [""] * (len(self.columns) - len(record))
        for key, value in added.items():
            row[self._positions[key]] = f"{value:.6g}" if isinstance(value, float) else value
        if self._csv is not None:
            self._csv.writerow(row)
        else:
            self.fh.write(_table_line(self.columns, row) + "\n")


def _table_line(columns, row):
    """A terminal line: label, probabilities, then the statement."""
    values = dict(zip(columns, row))
    probs = "  ".join(f"{c[2:]} {float(values[c]):.2f}" for c in columns if c.startswith("p_") and values.get(c))
    text = values.get("text", "")
    text = text if len(text) <= 80 else text[:77] + "..."
    parts = [f"{values.get('stance', ''):9}", probs]
    if values.get("explanation"):
        parts.append(f"[{values['explanation']}]")
    if "start" in values and "end" in values:
        parts.insert(0, f"{values['start']:>6}-{values['end']:<6}")
    parts.append(text)
    return "  ".join(p for p in parts if p)


@contextlib.contextmanager
def open_output(path):
    """A text file that appears at ``path`` only if the block completes.

    ``None`` or ``"-"`` is standard output. Otherwise the rows go to a
    temporary file in the same folder, renamed over ``path`` at the end;
    on any error it is removed and ``path`` keeps its previous content.
    """
    if path in (None, "-"):
        yield sys.stdout
        sys.stdout.flush()
        return
    target = pathlib.Path(path)
    if not target.parent.is_dir():
        raise InputFileError("the output folder does not exist", str(target))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; this is an ordinary file
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
