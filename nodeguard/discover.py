"""Find the Dockerfiles and .dockerignore files to check."""
from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

SKIPPED_FOLDERS = frozenset({"node_modules", ".git", ".hg", ".svn", ".venv", "__pycache__"})
IGNORE_SUFFIX = ".dockerignore"


def is_ignore_file_name(name: str) -> bool:
    return name == IGNORE_SUFFIX or name.endswith(IGNORE_SUFFIX)


def is_dockerfile_name(name: str) -> bool:
    """``Dockerfile``, ``Dockerfile.prod``, ``prod.Dockerfile``, ``api.dockerfile``, ``Containerfile``."""
    if is_ignore_file_name(name):
        return False
    lowered = name.lower()
    for base in ("dockerfile", "containerfile"):
        if lowered == base or lowered.startswith(base + ".") or lowered.endswith("." + base):
            return True
    return False


def walk(folder: Path) -> Iterator[Path]:
    """Every Dockerfile and ignore file below ``folder``, in a stable order, without following symlinks
    to folders and without entering node_modules or VCS folders."""
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return
    subfolders = []
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name not in SKIPPED_FOLDERS:
                subfolders.append(entry.path)
        elif entry.is_file(follow_symlinks=False) and (
            is_dockerfile_name(entry.name) or is_ignore_file_name(entry.name)
        ):
            yield Path(entry.path)
    for subfolder in subfolders:
        yield from walk(Path(subfolder))


@functools.lru_cache(maxsize=4096)
def find_repo_root(start: Path) -> Path:
    """The nearest folder above ``start`` that holds ``.git``; ``start`` itself when there is none."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


def context_folder(dockerfile_path: str, mapped_context: str | None) -> str:
    """The repository-relative build context of a Dockerfile: the policy's mapping, else its own folder."""
    if mapped_context is not None:
        cleaned = os.path.normpath(mapped_context).replace(os.sep, "/")
        return "" if cleaned == "." else cleaned.strip("/")
    parent = str(PurePosixPath(dockerfile_path).parent)
    return "" if parent == "." else parent


def ignore_file_candidates(dockerfile_path: str, context: str) -> tuple[str, str]:
    """The ignore files BuildKit reads for a Dockerfile, in order of precedence."""
    own = f"{dockerfile_path}{IGNORE_SUFFIX}"
    shared = f"{context}/{IGNORE_SUFFIX}" if context else IGNORE_SUFFIX
    return own, shared


def governed_dockerfiles(ignore_path: str, dockerfile_paths: Iterable[str], policy) -> list[str]:
    """The Dockerfiles whose build context ``ignore_path`` governs (all paths repository-relative)."""
    governed = []
    for dockerfile in dockerfile_paths:
        own, shared = ignore_file_candidates(dockerfile, context_folder(dockerfile, policy.context_for(dockerfile)))
        if ignore_path in (own, shared):
            governed.append(dockerfile)
    return governed
