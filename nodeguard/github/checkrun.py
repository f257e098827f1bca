"""The check run (``nodeguard`` unless the ``check-name`` input names it): title, summary, an annotation
per finding (50 per request), conclusion. GitHub measures its limits in UTF-8 bytes."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nodeguard.findings import Finding, Severity
from nodeguard.github.comments import docs_url
from nodeguard.github.retry import API_ERRORS
from nodeguard.github.summary import cut_to_bytes

if TYPE_CHECKING:
    from nodeguard.github.client import GitHubApi

ANNOTATIONS_PER_REQUEST = 50
LEVELS = {Severity.INFO: "notice", Severity.WARNING: "warning", Severity.ERROR: "failure"}
# An annotation's message and raw_details: "The maximum size is 64 KB" (REST, create a check run),
# counted in bytes like the summary's 65,535; the title: 255 characters.
MESSAGE_LIMIT = 64 * 1024 - 1
TITLE_LIMIT = 255


def annotation(finding: Finding) -> dict:
    line = max(finding.line, 1)
    return {
        "path": finding.path,
        "start_line": line,
        "end_line": max(finding.end_line, line),
        "annotation_level": LEVELS[finding.severity],
        "message": cut_to_bytes(finding.message, MESSAGE_LIMIT),
        "title": f"{finding.rule} {finding.name}"[:TITLE_LIMIT],
        "raw_details": f"Rule documentation: {docs_url(finding.rule)}",
    }


def batches(annotations: Sequence[dict], size: int = ANNOTATIONS_PER_REQUEST) -> list[list[dict]]:
    """The annotations in requests of at most ``size``; one empty batch when there are none."""
    return [list(annotations[start : start + size]) for start in range(0, len(annotations), size)] or [[]]


def _output(title: str, summary: str, batch: list[dict]) -> dict:
    # Every request repeats title and summary: a PATCH with output but without them blanks them.
    output: dict[str, object] = {"title": title, "summary": summary}
    if batch:
        output["annotations"] = batch
    return output


@dataclass(frozen=True)
class CheckRunOutcome:
    created: bool
    error: Exception | None = None  # what stopped the creation, or the adding of annotations


def publish_check_run(
    api: GitHubApi,
    name: str,
    head_sha: str,
    title: str,
    summary: str,
    conclusion: str,
    findings: Sequence[Finding],
    external_id: str,
) -> CheckRunOutcome:
    """Create the check run completed, with its conclusion and the first batch of annotations, then add
    the other batches (GitHub appends them). When an update fails for good, the check run still has its
    conclusion: it is never left in progress, which would block a required check. ``external_id`` (unique
    to the run) lets a lost answer be told from a request that never arrived."""
    chunks = batches([annotation(finding) for finding in findings])
    fields = {
        "status": "completed",
        "conclusion": conclusion,
        "external_id": external_id,
        "output": _output(title, summary, chunks[0]),
    }
    try:
        check_run = api.create_check_run(name, head_sha, fields)
    except API_ERRORS as error:
        return CheckRunOutcome(created=False, error=error)
    added = len(chunks[0])
    try:
        for chunk in chunks[1:]:
            added += len(chunk)
            api.update_check_run(check_run, {"output": _output(title, summary, chunk)}, annotations_after=added)
    except API_ERRORS as error:
        return CheckRunOutcome(created=True, error=error)
    return CheckRunOutcome(created=True)
