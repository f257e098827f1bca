"""The second half of the two-workflow recipe: findings written by a ``pull_request`` run, posted by a
``workflow_run`` run that has a write token.

The first run writes its ``json-file`` (the JSON report, plus the pull request it checked); the second
reads it through the ``findings-file`` input. The file comes from a run of the pull request's own
workflow, so it is untrusted data: it is read with size and shape limits, its text is shown inert like
any finding's, and it must name the commit the ``workflow_run`` event names.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from nodeguard.findings import Applicability, Finding, Fix, Severity
from nodeguard.github.settings import PullRequest, SettingsError
from nodeguard.github.sources import read_inside

MAX_BYTES = 16 * 1024 * 1024
MAX_FINDINGS = 100_000


@dataclass(frozen=True)
class FindingsFile:
    pull: PullRequest
    findings: list[Finding]
    checked_files: int


def pull_request_section(pull: PullRequest) -> dict:
    """What the first run adds to its JSON report so that the second knows where to post."""
    return {"number": pull.number, "head_sha": pull.head_sha, "base_sha": pull.base_sha}


def read_findings_file(workspace: Path, relpath: str, event: Mapping) -> FindingsFile:
    found = read_inside(workspace, relpath, max_bytes=MAX_BYTES)
    if found is None or found.data is None:
        reason = found.problem if found is not None and found.problem else "no such file in the workspace"
        raise SettingsError(f"input findings-file {relpath}: {reason}")
    try:
        data = json.loads(found.data.decode("utf-8"))
        section = data["pull_request"]
        pull = PullRequest(int(section["number"]), _sha(section["head_sha"]), _sha(section["base_sha"]), None)
        entries = data["findings"]
        if not isinstance(entries, list) or len(entries) > MAX_FINDINGS:
            raise ValueError("findings is not a list of at most 100000 entries")
        findings = [_finding(entry) for entry in entries]
        checked = int(data.get("summary", {}).get("files", 0))
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise SettingsError(
            f"input findings-file {relpath}: not a report written by nodeguard's json-file on a pull request ({error})"
        ) from None
    run = event.get("workflow_run")
    expected = run.get("head_sha") if isinstance(run, Mapping) else None
    if pull.head_sha != expected:
        raise SettingsError(
            f"input findings-file {relpath}: it was written for commit {pull.head_sha[:12]}, but the workflow run "
            f"is for {str(expected)[:12]}; nothing was posted"
        )
    return FindingsFile(pull, findings, checked)


def _sha(value: object) -> str:
    text = str(value)
    if len(text) not in (40, 64) or any(character not in "0123456789abcdef" for character in text):
        raise ValueError(f"{text[:80]!r} is not a commit SHA")
    return text


def _text(entry: Mapping, key: str, limit: int = 64 * 1024) -> str:
    value = entry[key]
    if not isinstance(value, str) or len(value) > limit:
        raise ValueError(f"{key} is not text of at most {limit} characters")
    return value


def _number(entry: Mapping, key: str) -> int:
    value = entry[key]
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10_000_000:
        raise ValueError(f"{key} is not a line or column number")
    return value


def _finding(entry: Mapping) -> Finding:
    fix = entry.get("fix")
    return Finding(
        rule=_text(entry, "rule", 20),
        name=_text(entry, "name", 100),
        section=_number(entry, "section"),
        severity=Severity.parse(_text(entry, "severity", 10)),
        path=_text(entry, "path", 4096),
        line=_number(entry, "line"),
        end_line=_number(entry, "end_line"),
        message=_text(entry, "message"),
        column=_number(entry, "column"),
        fix=None if fix is None else Fix(
            line=_number(fix, "line"),
            end_line=_number(fix, "end_line"),
            replacement=_text(fix, "replacement"),
            applicability=Applicability(fix.get("applicability", "unsafe")),
        ),
    )
