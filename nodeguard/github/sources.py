"""Where the pull request's files are read: the workspace on disk, or the API at the head commit.

The workspace is used only when it is checked out at the pull request's head commit. That is decided
by reading ``.git/HEAD`` (and the ref it names) as plain text: no git command runs on the workspace,
and nothing from the pull request is executed. Reads never follow a symbolic link out of the workspace.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from nodeguard.discover import walk
from nodeguard.model.context import read_limited
from nodeguard.github.client import SYMLINK_OUT, FileContent, GitHubApi
from nodeguard.model.parse import MAX_BYTES

COMMIT_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
REF_NAME = re.compile(r"refs/[A-Za-z0-9._/-]+")


def inside(root: Path, relpath: str) -> Path | None:
    """``root/relpath`` with symbolic links resolved, when it exists and stays inside ``root``."""
    parts = PurePosixPath(relpath).parts
    if not parts or PurePosixPath(relpath).is_absolute() or ".." in parts:
        return None
    try:
        resolved = (root / relpath).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return resolved if resolved.is_relative_to(root.resolve()) else None


def read_inside(root: Path, relpath: str, max_bytes: int = MAX_BYTES) -> FileContent | None:
    """The file ``relpath`` below ``root``; None when there is no such regular file."""
    resolved = inside(root, relpath)
    if resolved is None:
        return FileContent(problem=SYMLINK_OUT) if (root / relpath).is_symlink() else None
    if not resolved.is_file():
        return None
    data = read_limited(resolved, max_bytes)
    return FileContent(problem=data) if isinstance(data, str) else FileContent(data=data)


def _small_text(folder: Path, relpath: str) -> str:
    found = read_inside(folder, relpath, max_bytes=1 << 20)
    return found.data.decode("ascii", "replace") if found is not None and found.data is not None else ""


def checked_out_commit(workspace: Path) -> str | None:
    """The commit the workspace's git checkout is at (from ``.git/HEAD``), or None when unknown."""
    git = workspace / ".git"
    if git.is_symlink() or not git.is_dir():
        return None
    head = _small_text(git, "HEAD").strip()
    if COMMIT_SHA.fullmatch(head):
        return head
    ref = head.removeprefix("ref:").strip()
    if not head.startswith("ref:") or not REF_NAME.fullmatch(ref) or ".." in ref:
        return None
    loose = _small_text(git, ref).strip()
    if COMMIT_SHA.fullmatch(loose):
        return loose
    for line in _small_text(git, "packed-refs").splitlines():
        sha, _, name = line.partition(" ")
        if name == ref and COMMIT_SHA.fullmatch(sha):
            return sha
    return None


class WorkspaceFiles:
    """The repository as checked out on disk."""

    def __init__(self, root: Path):
        self.root = root

    def read(self, path: str) -> FileContent | None:
        return read_inside(self.root, path)

    def file_paths(self) -> list[str]:
        """Every Dockerfile and ignore file in the workspace (symbolic links to folders are not entered)."""
        root = self.root.resolve()
        return [found.relative_to(root).as_posix() for found in walk(root)]


class CommitFiles:
    """The repository at one commit, read through the API (each file once, the tree once)."""

    def __init__(self, api: GitHubApi, ref: str):
        self.api, self.ref = api, ref
        self._read: dict[str, FileContent | None] = {}
        self._tree: dict[str, str] | None = None

    def read(self, path: str) -> FileContent | None:
        if path not in self._read:
            self._read[path] = self.api.read_file(path, self.ref)
        return self._read[path]

    def blob_shas(self) -> dict[str, str]:
        """Every file of the commit, with its blob sha."""
        if self._tree is None:
            self._tree = self.api.list_tree(self.ref)
        return self._tree

    def file_paths(self) -> list[str]:
        """Every file of the commit."""
        return list(self.blob_shas())


def git_blob_sha(data: bytes) -> str:
    """The name git gives these bytes as a blob (what GitHub lists as a file's ``sha``)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # noqa: S324 - git's own naming


class VerifiedWorkspaceFiles:
    """The workspace at the head commit, trusted file by file: an earlier step of the job may have run the
    pull request's code and rewritten files, so a file is read from disk only when its bytes are the blob
    GitHub lists for it (the pull request's files, else the head commit's tree); otherwise, and for the
    list of files, GitHub's head commit is read instead."""

    def __init__(self, root: Path, head: CommitFiles, listed: Mapping[str, str]):
        self.root, self.head, self.listed = root, head, dict(listed)
        self.replaced: list[str] = []  # files whose copy on disk is not the head commit's

    def expected_sha(self, path: str) -> str | None:
        return self.listed[path] if path in self.listed else self.head.blob_shas().get(path)

    def matches_head(self, path: str) -> bool:
        """Whether the file on disk is the head commit's (both absent counts as matching). A symbolic
        link is git's blob of its target's name."""
        expected = self.expected_sha(path)
        if (self.root / path).is_symlink():
            return git_blob_sha(os.fsencode(os.readlink(self.root / path))) == expected
        found = read_inside(self.root, path)
        if found is None:
            return expected is None
        return found.data is not None and git_blob_sha(found.data) == expected

    def read(self, path: str) -> FileContent | None:
        if self.matches_head(path):
            return read_inside(self.root, path)
        if path not in self.replaced:
            self.replaced.append(path)
        return self.head.read(path)

    def file_paths(self) -> list[str]:
        return self.head.file_paths()
