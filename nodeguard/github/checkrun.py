"""The check run ``nodeguard``: title, summary, an annotation per finding (50 per request), conclusion."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nodeguard.findings import Finding, Severity
from nodeguard.github.comments import docs_url
from nodeguard.github.retry import API_ERRORS

if TYPE_CHECKING:
    from nodeguard.github.client import GitHubApi

CHECK_RUN_NAME = "nodeguard"
ANNOTATIONS_PER_REQUEST = 50
LEVELS = {Severity.INFO: "notice", Severity.WARNING: "warning", Severity.ERROR: "failure"}
MESSAGE_LIMIT = 64 * 1024 - 1


def annotation(finding: Finding) -> dict:
    line = max(finding.line, 1)
    return {
        "path": finding.path,
        "start_line": line,
        "end_line": max(finding.end_line, line),
        "annotation_level": LEVELS[finding.severity],
        "message": finding.message[:MESSAGE_LIMIT],
        "title": f"{finding.rule} {finding.name}",
        "raw_details": f"Rule documentation: {docs_url(finding.rule)}",
    }


def batches(annotations: Sequence[dict], size: int = ANNOTATIONS_PER_REQUEST) -> list[list[dict]]:
    """The annotations in requests of at most ``size``; one empty batch when there are none."""
    return [list(annotations[start : start + size]) for start in range(0, len(annotations), size)] or [[]]


def _output(title: str, summary: str, batch: list[dict]) -> dict:
    # Every request repeats title and summary: a PATCH with output but without them blanks them.
    output = {"title": title, "summary": summary}
    if batch:
        output["annotations"] = batch
    return output


@dataclass(frozen=True)
class CheckRunOutcome:
    created: bool
    error: Exception | None = None  # what stopped the creation, or the adding of annotations


def publish_check_run(
    api: GitHubApi, head_sha: str, title: str, summary: str, conclusion: str, findings: Sequence[Finding]
) -> CheckRunOutcome:
    """Create the check run completed, with its conclusion and the first batch of annotations, then add
    the other batches (GitHub appends them). When an update fails for good, the check run still has its
    conclusion: it is never left in progress, which would block a required check."""
    chunks = batches([annotation(finding) for finding in findings])
    try:
        check_run = api.create_check_run(
            CHECK_RUN_NAME,
            head_sha,
            {"status": "completed", "conclusion": conclusion, "output": _output(title, summary, chunks[0])},
        )
    except API_ERRORS as error:
        return CheckRunOutcome(created=False, error=error)
    try:
        for chunk in chunks[1:]:
            api.update_check_run(check_run, {"output": _output(title, summary, chunk)})
    except API_ERRORS as error:
        return CheckRunOutcome(created=True, error=error)
    return CheckRunOutcome(created=True)
