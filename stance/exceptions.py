"""Exceptions raised by stance.

Every error a user can cause has its own type, so that scripts can catch it,
and a message that names the file, row, column or argument at fault.
"""

__all__ = ["CorpusError", "InputFileError", "ModelFileError", "UntrustedModelError"]


class CorpusError(ValueError):
    """A corpus cannot be read or breaks a validation rule.

    Attributes
    ----------
    problems : list of stance.corpus.Problem
        Every problem found, each with its row number and column.
    source : str or None
        The file (or ``"DataFrame"``) the corpus came from.
    """

    def __init__(self, problems, source=None):
        self.problems = list(problems)
        self.source = source
        shown = "\n".join(f"  {p}" for p in self.problems[:20])
        more = len(self.problems) - 20
        if more > 0:
            shown += f"\n  ... and {more} more"
        where = f" in {source}" if source else ""
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''}{where}:\n{shown}")


class ModelFileError(ValueError):
    """A model file is missing, truncated, corrupt, of a foreign format, or
    does not match the checksum recorded for it."""


class UntrustedModelError(ModelFileError):
    """A model file that could run code when loaded was not marked as trusted."""


class InputFileError(ValueError):
    """A file of statements to label cannot be read: missing column,
    undecodable bytes, malformed record, empty file, over-long statement.

    Attributes
    ----------
    path : str
        The file (``"<stdin>"`` for standard input).
    line : int or None
        The 1-based line where the problem is.
    column : str or None
        The column at fault.
    """

    def __init__(self, message, path, line=None, column=None):
        self.path, self.line, self.column = path, line, column
        where = str(path)
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")
