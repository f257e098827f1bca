"""What the runner hands the action: its inputs (``INPUT_*``), the ``GITHUB_*`` variables and the event."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nodeguard.findings import Severity

PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")
# A merge queue's merge_group is checked like a push, at the merge group's head commit.
WORKSPACE_EVENTS = ("push", "workflow_dispatch", "merge_group")
DEPENDABOT = "dependabot[bot]"
FAIL_ON = ("error", "warning", "info", "never")
COMMENTS = ("changed-lines", "off")
REVIEW_EVENTS = ("COMMENT", "REQUEST_CHANGES")
POLICY_FROM = ("base", "head")
FILTERS = ("added", "diff-context", "file")
DEFAULT_CHECK_NAME = "nodeguard"
DEFAULT_MAX_COMMENTS = 30


class SettingsError(Exception):
    """A misconfigured run; ``str()`` is the one message the user sees."""


@dataclass(frozen=True)
class Inputs:
    token: str
    config: str | None
    fail_on: str | None  # None: the policy's fail-on
    comments: bool
    review_event: str
    policy_from: str
    sarif_file: str | None
    check_name: str = DEFAULT_CHECK_NAME
    filter: str = "diff-context"
    max_comments: int = DEFAULT_MAX_COMMENTS
    ignore: tuple[str, ...] = ()
    json_file: str | None = None
    findings_file: str | None = None
    resolve_digests: bool = True  # look unpinned base images up: NG102's suggestion carries the digest
    check_digests: bool = True  # look pinned ones up: a tag that moved is reported at info level
    refresh_data: bool = True  # read Node.js's published release schedule for the run

    def threshold(self, policy_fail_on: Severity | None) -> Severity | None:
        if self.fail_on is None:
            return policy_fail_on
        return None if self.fail_on == "never" else Severity.parse(self.fail_on)


@dataclass(frozen=True)
class Runner:
    event_name: str
    event: Mapping
    repository: str
    api_url: str
    workspace: Path
    sha: str
    output_file: Path | None
    step_summary_file: Path | None
    actor: str = ""


@dataclass(frozen=True)
class PullRequest:
    number: int
    head_sha: str
    base_sha: str
    changed_files: int | None  # as the event counts them; the files list stops at 3000
    from_fork: bool = False  # the head branch lives in another repository
    author: str = ""


def _input(environ: Mapping[str, str], name: str) -> str:
    # The runner names an input INPUT_<NAME upper-cased>, keeping its dashes.
    return environ.get(f"INPUT_{name.upper()}", "").strip()


def _choice(environ: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = _input(environ, name) or default
    wanted = value.upper() if allowed == REVIEW_EVENTS else value.lower()
    if wanted not in allowed:
        raise SettingsError(f"input {name}: {value!r} is not one of {', '.join(allowed)}")
    return wanted


def read_inputs(environ: Mapping[str, str]) -> Inputs:
    token = _input(environ, "github-token")
    if not token:
        raise SettingsError("input github-token is empty: give the action a token (the default is github.token)")
    fail_on = _input(environ, "fail-on")
    return Inputs(
        token=token,
        config=_input(environ, "config") or None,
        fail_on=_choice(environ, "fail-on", FAIL_ON, "error") if fail_on else None,
        comments=_choice(environ, "comments", COMMENTS, "changed-lines") == "changed-lines",
        review_event=_choice(environ, "review-event", REVIEW_EVENTS, "COMMENT"),
        policy_from=_choice(environ, "policy-from", POLICY_FROM, "base"),
        sarif_file=_input(environ, "sarif-file") or None,
        check_name=_check_name(environ),
        filter=_choice(environ, "filter", FILTERS, "diff-context"),
        max_comments=_count(environ, "max-comments", DEFAULT_MAX_COMMENTS),
        ignore=tuple(word.strip() for word in _input(environ, "ignore").split(",") if word.strip()),
        json_file=_input(environ, "json-file") or None,
        findings_file=_input(environ, "findings-file") or None,
        resolve_digests=_boolean(environ, "resolve-digests", True),
        check_digests=_boolean(environ, "check-digests", True),
        refresh_data=_boolean(environ, "refresh-data", True),
    )


def _check_name(environ: Mapping[str, str]) -> str:
    name = _input(environ, "check-name") or DEFAULT_CHECK_NAME
    if len(name) > 100 or any(not character.isprintable() for character in name):
        raise SettingsError(f"input check-name: {name[:100]!r} must be one printable line of at most 100 characters")
    return name


def _count(environ: Mapping[str, str], name: str, default: int) -> int:
    value = _input(environ, name)
    if not value:
        return default
    if not value.isdigit() or int(value) > 1000:
        raise SettingsError(f"input {name}: {value!r} is not a whole number from 0 to 1000")
    return int(value)


def _boolean(environ: Mapping[str, str], name: str, default: bool) -> bool:
    value = _input(environ, name).lower()
    if not value:
        return default
    if value not in ("true", "false"):
        raise SettingsError(f"input {name}: {value!r} is not true or false")
    return value == "true"


def _required(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise SettingsError(f"{name} is not set: nodeguard runs as a GitHub Actions step")
    return value


def _optional_path(environ: Mapping[str, str], name: str) -> Path | None:
    value = environ.get(name, "").strip()
    return Path(value) if value else None


def read_runner(environ: Mapping[str, str]) -> Runner:
    event_path = _required(environ, "GITHUB_EVENT_PATH")
    try:
        event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SettingsError(f"{event_path}: cannot read the event payload ({error})") from None
    if not isinstance(event, dict):
        raise SettingsError(f"{event_path}: the event payload is not a JSON object")
    workspace = Path(_required(environ, "GITHUB_WORKSPACE"))
    if not workspace.is_dir():
        raise SettingsError(f"GITHUB_WORKSPACE {workspace} is not a folder")
    return Runner(
        event_name=_required(environ, "GITHUB_EVENT_NAME"),
        event=event,
        repository=_required(environ, "GITHUB_REPOSITORY"),
        api_url=environ.get("GITHUB_API_URL", "").strip() or "https://api.github.com",
        workspace=workspace,
        sha=environ.get("GITHUB_SHA", "").strip(),
        output_file=_optional_path(environ, "GITHUB_OUTPUT"),
        step_summary_file=_optional_path(environ, "GITHUB_STEP_SUMMARY"),
        actor=environ.get("GITHUB_ACTOR", "").strip(),
    )


def pull_request_from(event: Mapping) -> PullRequest:
    """The pull request of a pull_request(_target) event. The review and check run go to its head SHA,
    never to GITHUB_SHA (the synthetic merge commit, or the base branch under pull_request_target)."""
    pull: Any = event.get("pull_request")  # a malformed event fails below, inside the try
    try:
        changed = pull.get("changed_files")
        return PullRequest(
            number=int(pull["number"]),
            head_sha=str(pull["head"]["sha"]),
            base_sha=str(pull["base"]["sha"]),
            changed_files=changed if isinstance(changed, int) else None,
            from_fork=_full_name(pull["head"].get("repo")) != _full_name(pull["base"].get("repo")),
            author=str((pull.get("user") or {}).get("login") or ""),
        )
    except (AttributeError, KeyError, TypeError, ValueError):
        raise SettingsError("the event payload has no pull_request with number, head.sha and base.sha") from None


def _full_name(repo: object) -> str | None:
    # A fork that was deleted leaves head.repo null: it is not the base repository either.
    return str(repo.get("full_name") or "") if isinstance(repo, Mapping) else None


def merge_group_head(event: Mapping, fallback: str) -> str:
    """The commit a merge_group event checks: the merge group's head (GITHUB_SHA is the same)."""
    group = event.get("merge_group")
    head = group.get("head_sha") if isinstance(group, Mapping) else None
    return str(head) if isinstance(head, str) and head else fallback


def merge_group_base(event: Mapping) -> str | None:
    """The commit a merge_group event merges into (its target branch), or None when the event lacks it."""
    group = event.get("merge_group")
    base = group.get("base_sha") if isinstance(group, Mapping) else None
    return base if isinstance(base, str) and base else None


def read_only_reason(event_name: str, pull: PullRequest, actor: str) -> str | None:
    """Why the token of a pull_request run cannot write, known from the event alone, or None.

    GitHub gives a pull_request workflow from a fork, and one Dependabot triggers, a read-only
    GITHUB_TOKEN; pull_request_target runs in the base repository with its token and is not affected."""
    if event_name != "pull_request":
        return None
    if pull.from_fork:
        return "the pull request comes from a fork, and GitHub gives its workflow a read-only token"
    if DEPENDABOT in (actor, pull.author):
        return "Dependabot triggered the run, and GitHub gives such a workflow a read-only token"
    return None
