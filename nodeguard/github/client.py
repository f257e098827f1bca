"""The GitHub REST calls nodeguard makes, through PyGithub, each one wrapped in nodeguard's own retry."""
from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from github import Auth, Github
from github.Commit import Commit
from github.GithubException import GithubException

from nodeguard import __version__
from nodeguard.github.retry import API_ERRORS, RetryPolicy, call_with_retry
from nodeguard.model.parse import MAX_BYTES, size_text

PER_PAGE = 100  # the largest page GitHub serves: fewer requests for long lists
FILES_LIST_LIMIT = 3000  # GitHub stops listing a pull request's files there
TIMEOUT_SECONDS = 30
# PyGithub's own pacing between requests, multiplied by the time scale (0 in tests).
SECONDS_BETWEEN_REQUESTS = 0.25
SECONDS_BETWEEN_WRITES = 1.0
WORKFLOW_TOKEN_LOGIN = "github-actions[bot]"
SYMLINK_OUT = "a symbolic link that leads out of the repository; not followed"
GITHUB_ACTIONS_LOGIN = "github-actions[bot]"  # who GITHUB_TOKEN writes as
TREE_WALK_LIMIT = 500  # folders listed one by one when GitHub cuts the recursive listing


class TreeTooLarge(Exception):
    """The repository has more folders than a walk of a truncated tree lists."""


@dataclass(frozen=True)
class FileContent:
    """A file's bytes, or the reason it could not be read (``problem``)."""

    data: bytes | None = None
    problem: str | None = None


@dataclass(frozen=True)
class ChangedFile:
    path: str
    status: str  # added | removed | modified | renamed | copied | changed | unchanged
    patch: str | None  # absent for binary or very large diffs
    sha: str | None = None  # the blob at the head commit
    previous_filename: str | None = None  # a renamed file's path before


@dataclass(frozen=True)
class FileListing:
    files: list[ChangedFile]
    complete: bool  # False when GitHub stopped at its limit before the pull request's last file


def make_github(token: str, api_url: str, time_scale: float) -> Github:
    """PyGithub without its own retry (``retry=None``; see retry.py) and lazy, so that objects built from a
    URL cost no request until they are used."""
    return Github(
        auth=Auth.Token(token),
        base_url=api_url.rstrip("/"),
        timeout=TIMEOUT_SECONDS,
        user_agent=f"nodeguard/{__version__}",
        per_page=PER_PAGE,
        retry=None,
        seconds_between_requests=SECONDS_BETWEEN_REQUESTS * time_scale,
        seconds_between_writes=SECONDS_BETWEEN_WRITES * time_scale,
        lazy=True,
    )


def redacted(value: Any, redact: Callable[[str], str]) -> Any:
    """``value`` (a request body: strings, lists, dicts) with ``redact`` applied to every string in it."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [redacted(item, redact) for item in value]
    if isinstance(value, dict):
        return {key: redacted(item, redact) for key, item in value.items()}
    return value


class GitHubApi:
    """The repository (and pull request) nodeguard reports on. Everything written to GitHub passes
    through ``redact`` first: a check run or a review is public on a public repository."""

    def __init__(
        self,
        client: Github,
        repository: str,
        retry: RetryPolicy,
        notify: Callable[[str], None],
        redact: Callable[[str], str] = str,
    ):
        self._client = client
        self._repo = client.get_repo(repository)  # lazy: no request
        self._retry = retry
        self._notify = notify
        self._redact = redact
        self._own_login: str | None = None

    def _call(self, describe: str, call: Callable[[], Any], already_done: Callable[[], Any] | None = None) -> Any:
        return call_with_retry(call, self._retry, describe, self._notify, already_done)

    def _lookup(self, describe: str, call: Callable[[], Any]) -> Any:
        """A look-up made before retrying a write: one attempt; None when it fails too."""
        try:
            return call()
        except API_ERRORS:
            self._notify(f"{describe}: not possible; retrying the write")
            return None

    def pull_head_sha(self, number: int) -> str:
        """The pull request's head commit as GitHub has it now."""
        return self._call("reading the pull request", lambda: self._repo.get_pull(number).head.sha)

    def list_pull_files(self, number: int, expected_count: int | None) -> FileListing:
        pages = self._repo.get_pull(number).get_files()
        files = self._call("listing the pull request's files", lambda: list(pages))
        changed = [ChangedFile(f.filename, f.status, f.patch, f.sha, f.previous_filename) for f in files]
        # Cut only at the limit: the event's count may be stale after a later push, either way.
        at_limit = len(changed) >= FILES_LIST_LIMIT
        return FileListing(changed, complete=not at_limit or (expected_count is not None and len(changed) >= expected_count))

    def list_review_comments(self, number: int) -> list[tuple[str | None, str]]:
        """Each review comment of the pull request as (its author's login, its body)."""
        pages = self._repo.get_pull(number).get_review_comments()
        comments = self._call("listing the pull request's review comments", lambda: list(pages))
        return [(comment.user.login if comment.user is not None else None, comment.body or "") for comment in comments]

    def own_login(self) -> str:
        """The login nodeguard writes as. A personal token's user answers ``GET /user``; an installation
        token (the workflow's GITHUB_TOKEN) is refused there, and writes as ``github-actions[bot]``."""
        if self._own_login is None:
            try:
                self._own_login = self._call("reading the token's user", lambda: self._client.get_user().login)
            except GithubException as error:
                if error.status not in (401, 403, 404):
                    raise
                self._own_login = WORKFLOW_TOKEN_LOGIN
        return self._own_login

    def list_reviews(self, number: int) -> list[Any]:
        pages = self._repo.get_pull(number).get_reviews()
        return self._call("listing the pull request's reviews", lambda: list(pages))

    def create_review(
        self, number: int, head_sha: str, body: str, event: str | None, comments: list[dict], marker: str | None = None
    ) -> Any:
        """A review; ``event`` None leaves it pending. When the answer is lost, a review whose body holds
        ``marker`` (this run's) is looked for before posting again: it was the first attempt's."""
        pull = self._repo.get_pull(number)
        commit = self._client.create_from_raw_data(Commit, {"sha": head_sha, "url": f"{self._repo.url}/commits/{head_sha}"})
        body, comments = self._redact(body), redacted(comments, self._redact)
        options = {"event": event} if event is not None else {}

        def posted_before() -> Any:
            if marker is None:
                return None
            reviews = self._lookup("looking for the review already posted", lambda: list(pull.get_reviews()))
            return next((review for review in reviews or [] if marker in (review.body or "")), None)

        return self._call(
            "posting the review",
            lambda: pull.create_review(commit=commit, body=body, comments=comments, **options),  # type: ignore[arg-type]
            posted_before,
        )

    def create_file_comment(self, number: int, head_sha: str, path: str, body: str, mark: str) -> None:
        """A comment on a file as a whole (``subject_type: file``); when the answer is lost, one with the
        same fingerprint ``mark`` on the pull request is the first attempt's."""
        pull = self._repo.get_pull(number)
        body = self._redact(body)

        def posted_before() -> Any:
            comments = self._lookup("looking for the comment already posted", lambda: list(pull.get_review_comments()))
            return next((comment for comment in comments or [] if mark in (comment.body or "")), None)

        self._call(
            "posting a file comment",
            lambda: pull.create_review_comment(body=body, commit=head_sha, path=path, subject_type="file"),
            posted_before,
        )

    def delete_pending_review(self, review: Any) -> None:
        self._call("deleting the pending review", review.delete)

    def dismiss_review(self, review: Any, message: str) -> None:
        self._call("dismissing an earlier review", lambda: review.dismiss(self._redact(message)))

    def create_check_run(self, name: str, head_sha: str, fields: dict) -> Any:
        """The check run; when the answer is lost, the one with this run's ``external_id`` on the commit
        (if the first attempt created it) is taken instead of creating a second."""
        fields = redacted(fields, self._redact)
        external_id = fields.get("external_id")

        def created_before() -> Any:
            if not external_id:
                return None
            runs = self._lookup(
                "looking for the check run already created",
                lambda: list(self._repo.get_commit(head_sha).get_check_runs(check_name=name)),
            )
            return next((run for run in runs or [] if run.external_id == external_id), None)

        return self._call(
            "creating the check run",
            lambda: self._repo.create_check_run(name=name, head_sha=head_sha, **fields),
            created_before,
        )

    def update_check_run(self, check_run: Any, fields: dict, annotations_after: int | None = None) -> None:
        """When the answer is lost and the check run already counts ``annotations_after`` annotations,
        the update was applied: it is not sent again (GitHub would append its annotations twice)."""

        def applied_before() -> Any:
            if annotations_after is None:
                return None
            current = self._lookup("reading the check run", lambda: self._repo.get_check_run(check_run.id))
            count = current.output.annotations_count if current is not None else None
            return True if count is not None and count >= annotations_after else None

        fields = redacted(fields, self._redact)
        self._call("updating the check run", lambda: check_run.edit(**fields), applied_before)

    def list_tree(self, ref: str) -> dict[str, str]:
        """Every file (blobs and symlinks alike) of the commit ``ref``: its path and blob sha. GitHub cuts a
        recursive listing past 100,000 entries or 7 MB (``truncated``): then the tree is walked folder by folder."""
        tree = self._call("listing the repository's files", lambda: self._repo.get_git_tree(ref, recursive=True))
        if not tree.raw_data.get("truncated"):
            return {item.path: item.sha for item in tree.tree if item.type == "blob"}
        return self._walk_tree(ref, "")

    def _walk_tree(self, sha: str, prefix: str) -> dict[str, str]:
        paths: dict[str, str] = {}
        pending = [(sha, prefix)]
        listed = 0
        while pending:
            if listed >= TREE_WALK_LIMIT:
                raise TreeTooLarge(f"GitHub cut the tree listing and it has over {TREE_WALK_LIMIT} folders")
            listed += 1
            tree_sha, folder = pending.pop()
            tree = self._call(f"listing {folder or 'the repository'}", lambda: self._repo.get_git_tree(tree_sha))
            for item in tree.tree:
                path = f"{folder}{item.path}"
                if item.type == "blob":
                    paths[path] = item.sha
                elif item.type == "tree":
                    pending.append((item.sha, f"{path}/"))
        return dict(sorted(paths.items()))

    def read_file(self, path: str, ref: str) -> FileContent | None:
        """The file at ``ref``, or None when there is no such file."""
        try:
            content = self._call(f"reading {path}", lambda: self._repo.get_contents(path, ref=ref))
        except GithubException as error:
            if error.status == 404:
                return None
            raise
        if isinstance(content, list) or content.type == "submodule":
            return None
        if content.type == "symlink":
            return FileContent(problem=SYMLINK_OUT)
        if content.size > MAX_BYTES:  # as on disk: not fetched at all
            return FileContent(problem=f"the file is larger than {size_text(MAX_BYTES)}; not checked")
        if content.encoding == "base64":
            return FileContent(data=content.decoded_content)
        # Over 1 MB the contents API answers encoding "none": the blob API still serves the bytes.
        blob = self._call(f"reading {path}", lambda: self._repo.get_git_blob(content.sha))
        if blob.encoding != "base64":
            return FileContent(problem=f"GitHub served it with encoding {blob.encoding!r}; not checked")
        return FileContent(data=base64.b64decode(blob.content))

