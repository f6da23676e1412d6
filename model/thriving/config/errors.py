"""Errors a user can cause, with messages written for the analysts who read them.

Every error a user can cause by what they write (a scenario file, a ward table, a
command-line option) is a :class:`ThrivingError`. The command line prints its message,
without a traceback, and exits with its ``exit_code``. Anything else that escapes is a
bug in Thriving.

Problems in input files are collected, not raised one at a time, so that an analyst sees
every problem in a file at once. Each is a :class:`Problem` and prints as one line::

    scenarios/grants.yaml:12: investments.access.budget_per_year: must be at least 0 (got -5)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: Path used for a problem with a whole file (empty, not YAML, too big) rather than a field.
WHOLE_FILE = "(file)"


class ThrivingError(Exception):
    """Base class of every error a user can cause; its message is for the user.

    Parameters
    ----------
    message
        What went wrong and what to do about it, in plain English.
    exit_code
        Process exit code when the error ends a command (1 unless given).
    """

    exit_code: int = 1

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    def __reduce__(self):
        # Rebuild with the keyword argument too, so the error survives being sent back
        # from a worker process (sweeps run scenarios in a process pool).
        return (_rebuild, (type(self), self.args, {"exit_code": self.exit_code}))


@dataclass(frozen=True)
class Problem:
    """One problem in an input file, located as precisely as the file allows.

    Attributes
    ----------
    file
        The file as the user would name it (``scenarios/x.yaml``), or ``--set`` for a
        value given on the command line.
    line
        1-based line number, or None when no line applies (a file that is too big,
        a value from the command line).
    path
        The field, as a dotted path (``population.residents``,
        ``investments.access.wards[2]``), a CSV column name, or ``(file)``.
    message
        What is wrong, what was given and what is allowed.
    """

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return _one_line(f"{where}: {self.path}: {self.message}")


def _one_line(text: str) -> str:
    """Escape line breaks and other control characters, so one problem is one line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class ScenarioError(ThrivingError):
    """One or more problems in a scenario file, a file it uses, or an override.

    ``str()`` gives one line per problem, in the form ``FILE:LINE: field.path: message``.

    Parameters
    ----------
    problems
        Every problem found; at least one.
    exit_code
        Process exit code (1 unless given; 2 for malformed command-line input).

    Examples
    --------
    >>> err = ScenarioError([Problem("a.yaml", 3, "name", "must not be empty")])
    >>> print(err)
    a.yaml:3: name: must not be empty
    """

    def __init__(self, problems: Iterable[Problem], *, exit_code: int | None = None) -> None:
        self.problems: list[Problem] = list(dict.fromkeys(problems))  # drop exact repeats
        if not self.problems:
            raise ValueError("ScenarioError needs at least one problem")
        super().__init__("\n".join(str(p) for p in self.problems), exit_code=exit_code)

    def __reduce__(self):
        return (_rebuild, (type(self), (self.problems,), {"exit_code": self.exit_code}))


def _rebuild(cls, args, kwargs):
    """Recreate a pickled error (see ``ThrivingError.__reduce__``)."""
    return cls(*args, **kwargs)
