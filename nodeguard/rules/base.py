"""What a rule is: one module with its metadata, its documentation and a ``check`` function."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nodeguard.findings import Finding, Fix, Severity

if TYPE_CHECKING:
    from nodeguard.model.context import BuildContext
    from nodeguard.model.image import Image

# The option of the rules that judge the Node.js release schedule (NG103, NG104, NG701).
TODAY_OPTION = {
    "today": {
        "type": ["string", "null"],
        "format": "date",
        "description": "judge the release schedule as on this day (YYYY-MM-DD); unset: the day of the run",
    }
}

DOCS_URL = "https://github.com/nodeguard/nodeguard/blob/main/docs/rules/{id}.md"


@dataclass(frozen=True)
class NoOptions:
    """The options of a rule that takes none."""


@dataclass(frozen=True)
class Problem:
    """What a rule reports; the engine turns it into a Finding with the rule's metadata and severity."""

    line: int
    message: str
    end_line: int | None = None  # defaults to line
    fix: Fix | None = None
    path: str | None = None  # another file than the Dockerfile (a .dockerignore), as the context names it
    severity: Severity | None = None  # a lesser case of the rule (an unresolved tag is info): caps the severity


Check = Callable[["Image", "BuildContext", Any], Iterable[Problem]]


@dataclass(frozen=True)
class Rule:
    """A rule: its identity, default severity, options and check."""

    id: str  # stable: NG<section><nn>, e.g. NG101
    name: str  # slug: base-image-tag
    section: int  # practice 1-10 (DEVELOPERS.md); 0 for nodeguard's own checks
    severity: Severity  # default severity in the recommended policy
    summary: str  # one line
    check: Check
    doc: str  # markdown: what, why, bad and good example, fix, options
    options: Mapping[str, Any] = field(default_factory=dict)  # defaults
    options_schema: Mapping[str, Any] = field(default_factory=dict)  # JSON schema "properties" for options
    strict_severity: Severity | None = None  # severity under ``extends: strict`` when it differs
    fixable: bool = False

    @property
    def docs_url(self) -> str:
        return DOCS_URL.format(id=self.id)

    def finding(self, problem: Problem, path: str, severity: Severity | None = None) -> Finding:
        """The one way a finding is made: the rule's identity, the problem's place and message, and the
        severity the policy gives the rule (``severity``; the rule's default when None), lowered to the
        problem's own when the rule marks the case as a lesser one. The policy's severity is never exceeded."""
        level = self.severity if severity is None else severity
        if problem.severity is not None:
            level = min(level, problem.severity)
        return Finding(
            rule=self.id,
            name=self.name,
            section=self.section,
            severity=level,
            path=problem.path or path,
            line=problem.line,
            end_line=problem.end_line or problem.line,
            message=problem.message,
            fix=problem.fix,
        )

SECTIONS = {
    0: "nodeguard's own checks",
    1: "Base image",
    2: "Production dependencies",
    3: "NODE_ENV=production",
    4: "Not root",
    5: "Signals and PID 1",
    6: "Graceful shutdown",
    7: "Vulnerabilities",
    8: "Multi-stage builds",
    9: ".dockerignore",
    10: "Secret mounts",
}
