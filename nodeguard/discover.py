"""Find the Dockerfiles and .dockerignore files to check."""
from __future__ import annotations

import functools
import os
import stat
from collections.abc import Callable, Collection, Iterator
from pathlib import Path, PurePosixPath

from nodeguard.model.context import IGNORE_SUFFIX, ignore_file_candidates
from nodeguard.policy.globs import matches, matches_any

SKIPPED_FOLDERS = frozenset({"node_modules", ".git", ".hg", ".svn", ".venv", "__pycache__"})


def is_ignore_file_name(name: str) -> bool:
    return name == IGNORE_SUFFIX or name.endswith(IGNORE_SUFFIX)


# Extensions that make a Dockerfile-like name something else: documentation, text, templates that must be
# rendered before Docker can read them, and editors' and merge tools' leftovers.
NOT_DOCKERFILE_EXTENSIONS = frozenset({
    "md", "markdown", "rst", "adoc", "txt", "html", "pdf",
    "template", "tmpl", "tpl", "gotmpl", "j2", "jinja", "jinja2", "erb", "mustache", "hbs", "in", "m4",
    "example", "sample", "bak", "orig", "rej", "swp", "sh", "json", "yml", "yaml", "patch", "diff",
})
DOCKERFILE_BASES = ("dockerfile", "containerfile")


def is_dockerfile_name(name: str) -> bool:
    """The names editors and linters treat as Dockerfiles, compared without regard to case:
    ``Dockerfile``, ``Dockerfile.*``, ``Dockerfile-*``, ``Dockerfile_*``, ``*.Dockerfile``, and the same
    with ``Containerfile``; except ignore files and names ending in a documentation, text or template
    extension (``Dockerfile.md``, ``Dockerfile.txt``, ``Dockerfile.template``)."""
    if is_ignore_file_name(name):
        return False
    lowered = name.lower()
    for base in DOCKERFILE_BASES:
        if lowered == base or lowered.endswith("." + base):
            return True
        if lowered.startswith(base) and lowered[len(base) : len(base) + 1] in (".", "-", "_"):
            extension = lowered.rpartition(".")[2] if "." in lowered else ""
            return extension not in NOT_DOCKERFILE_EXTENSIONS and not lowered.endswith("~")
    return False


def walk(folder: Path) -> Iterator[Path]:
    """Every Dockerfile and ignore file below ``folder``, in a stable order (each folder's files, then its
    subfolders depth first), without following symlinks and without entering node_modules or VCS folders.
    The walk keeps its own stack, so the depth of the tree does not matter."""
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda entry: entry.name)
        except OSError:
            continue
        subfolders = []
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in SKIPPED_FOLDERS:
                    subfolders.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False) and (
                is_dockerfile_name(entry.name) or is_ignore_file_name(entry.name)
            ):
                yield Path(entry.path)
        pending.extend(reversed(subfolders))


@functools.lru_cache(maxsize=4096)
def find_repo_root(start: Path) -> Path:
    """The nearest folder above ``start`` that holds ``.git``; ``start`` itself when there is none."""
    start = start.resolve()
    return RepositoryRoots().of(start if start.is_dir() else start.parent)


class RepositoryRoots:
    """``find_repo_root`` for the real folders (symlinks resolved) of one run: each folder is looked at once,
    however many files below it ask."""

    def __init__(self) -> None:
        self._holders: dict[Path, Path | None] = {}  # a folder -> the nearest folder at or above it holding .git
        self._real: dict[Path, Path] = {}

    def real(self, folder: Path) -> Path:
        """``folder.resolve()``. A folder (no symlink) of a parent resolved before is that parent's real path and
        its name: one lstat instead of a walk from / for each of the many folders of one parent."""
        known = self._real.get(folder)
        if known is not None:
            return known
        parent = folder.parent
        parent_real = None if parent == folder else self._real.get(parent)
        if parent_real is None and parent != folder:
            parent_real = self._real[parent] = parent.resolve()
        if parent_real is not None and folder.name not in ("", "..") and _is_folder_not_link(folder):
            known = parent_real / folder.name
        self._real[folder] = known = known or folder.resolve()
        return known

    def of(self, folder: Path) -> Path:
        """The nearest folder at or above ``folder`` that holds ``.git``; ``folder`` itself when there is none."""
        return self.holder(folder) or folder

    def holder(self, folder: Path) -> Path | None:
        """The nearest folder at or above ``folder`` that holds ``.git``, or None."""
        pending = []
        current = folder
        while current not in self._holders:
            if (current / ".git").exists():
                self._holders[current] = current
                break
            pending.append(current)
            if current.parent == current:
                self._holders[current] = None
                break
            current = current.parent
        found = self._holders[current]
        self._holders.update((each, found) for each in pending)
        return found


def _is_folder_not_link(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def context_folder(dockerfile_path: str, mapped_context: str | None) -> str:
    """The repository-relative build context of a Dockerfile: the policy's mapping, else its own folder."""
    if mapped_context is not None:
        cleaned = os.path.normpath(mapped_context).replace(os.sep, "/")
        return "" if cleaned == "." else cleaned.strip("/")
    parent = str(PurePosixPath(dockerfile_path).parent)
    return "" if parent == "." else parent


def governed_dockerfiles(
    ignore_path: str, repo_paths: Collection[str], context_for: Callable[[str], str | None]
) -> list[str]:
    """The Dockerfiles among ``repo_paths`` whose build context ``ignore_path`` governs, in BuildKit's
    precedence: a Dockerfile's own ``<name>.dockerignore`` (when ``repo_paths`` holds it) wins over the
    ``.dockerignore`` of its context. ``context_for`` is the policy's ``contexts`` mapping (None: the
    Dockerfile's own folder). All paths are repository-relative."""
    governed = []
    for path in sorted(repo_paths):
        if not is_dockerfile_name(PurePosixPath(path).name):
            continue
        own, shared = ignore_file_candidates(path, context_folder(path, context_for(path)))
        if ignore_path == own or (ignore_path == shared and own not in repo_paths):
            governed.append(path)
    return governed


def dockerfiles_with_context_files(
    files: Collection[str], repo_paths: Collection[str], context_for: Callable[[str], str | None]
) -> list[str]:
    """The Dockerfiles among ``repo_paths`` whose build context holds one of ``files`` (repository-relative)."""
    found = []
    for path in sorted(repo_paths):
        if not is_dockerfile_name(PurePosixPath(path).name):
            continue
        context = context_folder(path, context_for(path))
        if any(not context or file.startswith(context + "/") for file in files):
            found.append(path)
    return found


def is_selected(policy, path: str, named: str | None, force_exclude: bool = False) -> bool:
    """Whether a repository-relative file is checked, given the path it was found through (``named``,
    repository-relative, or None when that lies outside the file's repository).

    The policy's ``include`` and ``exclude`` decide, except for what the user named: a file named is
    checked even when the policy excludes it, and a folder named is walked even when an ``exclude``
    pattern covers it as a whole (``examples/flawed/**`` for ``check examples/flawed``); the patterns
    that pick out files inside it, and ``include``, still apply. ``force_exclude`` applies the policy to
    named paths too (for callers such as pre-commit, which name every file)."""
    if force_exclude:
        return policy.selects(path)
    if path == named:
        return True
    folder = named if named not in (None, "", ".") else None  # the repository root is never lifted out of the policy
    excluded = [glob for glob in policy.exclude if not (folder is not None and _covers_folder(glob, folder))]
    included = not policy.include or matches_any(policy.include, path)
    return included and not matches_any(excluded, path)


def _covers_folder(glob: str, folder: str) -> bool:
    """True when ``glob`` matches the folder itself or any name directly inside it."""
    return matches(glob, folder) or matches(glob, f"{folder}/{_ANY_NAME}")


_ANY_NAME = "\x00"  # no pattern that names files matches it, and ``*`` and ``**`` do
