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
from nodeguard.github.retry import RetryPolicy, call_with_retry

PER_PAGE = 100  # the largest page GitHub serves: fewer requests for long lists
FILES_LIST_LIMIT = 3000  # GitHub stops listing a pull request's files there
TIMEOUT_SECONDS = 30
# PyGithub's own pacing between requests, multiplied by the time scale (0 in tests).
SECONDS_BETWEEN_REQUESTS = 0.25
SECONDS_BETWEEN_WRITES = 1.0
SYMLINK_OUT = "a symbolic link that leads out of the repository; not followed"


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


class GitHubApi:
    """The repository (and pull request) nodeguard reports on."""

    def __init__(self, client: Github, repository: str, retry: RetryPolicy, notify: Callable[[str], None]):
        self._client = client
        self._repo = client.get_repo(repository)  # lazy: no request
        self._retry = retry
        self._notify = notify

    def _call(self, describe: str, call: Callable[[], Any]) -> Any:
        return call_with_retry(call, self._retry, describe, self._notify)

    def list_pull_files(self, number: int, expected_count: int | None) -> FileListing:
        pages = self._repo.get_pull(number).get_files()
        files = self._call("listing the pull request's files", lambda: list(pages))
        changed = [ChangedFile(f.filename, f.status, f.patch) for f in files]
        # Cut only at the limit: the event's count may be stale after a later push, either way.
        at_limit = len(changed) >= FILES_LIST_LIMIT
        return FileListing(changed, complete=not at_limit or (expected_count is not None and len(changed) >= expected_count))

    def list_review_comment_bodies(self, number: int) -> list[str]:
        pages = self._repo.get_pull(number).get_review_comments()
        comments = self._call("listing the pull request's review comments", lambda: list(pages))
        return [comment.body or "" for comment in comments]

    def create_review(self, number: int, head_sha: str, body: str, event: str, comments: list[dict]) -> None:
        pull = self._repo.get_pull(number)
        commit = self._client.create_from_raw_data(Commit, {"sha": head_sha, "url": f"{self._repo.url}/commits/{head_sha}"})
        self._call(
            "posting the review",
            lambda: pull.create_review(commit=commit, body=body, event=event, comments=comments),
        )

    def create_check_run(self, name: str, head_sha: str, fields: dict) -> Any:
        return self._call(
            "creating the check run", lambda: self._repo.create_check_run(name=name, head_sha=head_sha, **fields)
        )

    def update_check_run(self, check_run: Any, fields: dict) -> None:
        self._call("updating the check run", lambda: check_run.edit(**fields))

    def list_tree(self, ref: str) -> list[str]:
        """Every file path (blobs and symlinks alike) of the commit ``ref``."""
        tree = self._call("listing the repository's files", lambda: self._repo.get_git_tree(ref, recursive=True))
        return [item.path for item in tree.tree if item.type == "blob"]

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
        if content.encoding == "base64":
            return FileContent(data=content.decoded_content)
        # Over 1 MB the contents API answers encoding "none": the blob API still serves the bytes.
        blob = self._call(f"reading {path}", lambda: self._repo.get_git_blob(content.sha))
        if blob.encoding != "base64":
            return FileContent(problem=f"GitHub served it with encoding {blob.encoding!r}; not checked")
        return FileContent(data=base64.b64decode(blob.content))

