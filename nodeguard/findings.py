"""Findings: the plain data every rule produces and every reporter consumes."""
from __future__ import annotations

import enum
from dataclasses import dataclass


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


@dataclass(frozen=True)
class Fix:
    """Replace lines ``line``..``end_line`` (1-based, inclusive) of the finding's file with ``replacement``.

    ``replacement`` holds whole lines without the final newline; an empty string deletes the lines.
    """

    line: int
    end_line: int
    replacement: str


@dataclass(frozen=True)
class Finding:
    rule: str
    name: str
    section: int  # practice number 1-10 from DEVELOPERS.md; 0 for nodeguard's own input problems
    severity: Severity
    path: str
    line: int
    end_line: int
    message: str
    fix: Fix | None = None
    column: int = 1

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.rule, self.message)

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "name": self.name,
            "section": self.section,
            "severity": self.severity.label,
            "path": self.path,
            "line": self.line,
            "end_line": self.end_line,
            "column": self.column,
            "message": self.message,
            "fix": None
            if self.fix is None
            else {"line": self.fix.line, "end_line": self.fix.end_line, "replacement": self.fix.replacement},
        }
