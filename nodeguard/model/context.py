"""The build context of a Dockerfile: the files Docker would be sent, read safely."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nodeguard.model.ignore import IgnoreFile


@dataclass
class BuildContext:
    """What the rules may know about the files around a Dockerfile.

    ``root`` is None when only the Dockerfile's text is known (files fetched through an API): rules that
    need the disk then say nothing. Every read stays inside ``repo_root`` (or ``root``): symlinks that
    lead out are treated as absent, never followed.
    """

    root: Path | None  # the build context folder on disk
    display_root: str  # how paths in this context are shown: "" for the repository root, "app" for app/
    dockerignore: IgnoreFile | None  # the ignore file in force (<Dockerfile>.dockerignore wins over .dockerignore)
    repo_root: Path | None = None

    def exists(self, relpath: str) -> bool:
        raise NotImplementedError  # implemented by the context work item

    def read_text(self, relpath: str, max_bytes: int = 1 << 20) -> str | None:
        """The file's text, or None when absent, outside the repository, binary, or larger than max_bytes."""
        raise NotImplementedError

    def iter_files(self) -> Iterator[str]:
        """Every file below root (posix paths relative to root), skipping the insides of node_modules and .git."""
        raise NotImplementedError

    def is_sent(self, relpath: str) -> bool:
        """True when the file would reach the Docker daemon (not excluded by the ignore file)."""
        raise NotImplementedError

    def display_path(self, relpath: str) -> str:
        return f"{self.display_root}/{relpath}" if self.display_root else relpath
