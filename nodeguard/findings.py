"""Findings: the plain data every rule produces and every reporter consumes."""
from __future__ import annotations

import enum

from nodeguard.record import Record


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        return cls[text.strip().upper()]


class Applicability(enum.Enum):
    """How far a fix can be trusted, as ruff classifies its fixes.

    ``SAFE``: the image builds and runs as before, apart from the practice the fix repairs, whatever the
    rest of the repository holds. ``--fix`` applies these, and review comments offer them as one-click
    suggestions. ``UNSAFE``: it may stop the image building or starting, or change what the app does;
    applied only with ``--unsafe-fixes`` and shown in reviews as a plain code block to check first.
    """

    SAFE = "safe"
    UNSAFE = "unsafe"


class Fix(Record):
    """Replace lines ``line``..``end_line`` (1-based, inclusive) of the finding's file with ``replacement``.

    ``replacement`` holds whole lines without the final newline; an empty string deletes the lines.
    ``end_line == line - 1`` is an empty range: ``replacement`` is inserted before ``line`` (after the
    last line when ``line`` is one past it). A fix is unsafe unless its rule says otherwise.
    """

    line: int
    end_line: int
    replacement: str
    applicability: Applicability

    def __init__(
        self,
        line: int,
        end_line: int,
        replacement: str,
        applicability: Applicability = Applicability.UNSAFE,
    ) -> None:
        self.__dict__.update(line=line, end_line=end_line, replacement=replacement, applicability=applicability)

    @property
    def safe(self) -> bool:
        return self.applicability is Applicability.SAFE

    @property
    def inserts(self) -> bool:
        return self.end_line == self.line - 1

    def before(self, line: int) -> bool:
        """The fix edits nothing at or after ``line`` (an insertion right before it is still before it)."""
        return self.line <= line if self.inserts else self.end_line < line


class Finding(Record):
    """One problem a rule reports at a place in a file, with its optional fix."""

    rule: str
    name: str
    section: int  # practice number 1-10 from DEVELOPERS.md; 0 for nodeguard's own input problems
    severity: Severity
    path: str
    line: int
    end_line: int
    message: str
    fix: Fix | None
    column: int

    def __init__(
        self,
        rule: str,
        name: str,
        section: int,
        severity: Severity,
        path: str,
        line: int,
        end_line: int,
        message: str,
        fix: Fix | None = None,
        column: int = 1,
    ) -> None:
        self.__dict__.update(
            rule=rule,
            name=name,
            section=section,
            severity=severity,
            path=path,
            line=line,
            end_line=end_line,
            message=message,
            fix=fix,
            column=column,
        )

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.rule, self.message)
