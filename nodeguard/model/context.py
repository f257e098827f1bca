"""The build context of a Dockerfile: the files Docker would be sent, read safely."""
from __future__ import annotations

import functools
import os
import stat
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import nullcontext
from pathlib import Path

from nodeguard.model.ignore import IgnoreFile, oversized_ignore_file, parse_ignore_file
from nodeguard.patterns import LazyPattern
from nodeguard.model.parse import MAX_BYTES, size_text
from nodeguard.record import Record, replace

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from typing import Protocol
else:
    Protocol = object  # ContextFiles and RepositoryFiles are checked by the type checker, never at run time

UNLISTED_DIRECTORIES = frozenset({"node_modules", ".git"})  # iter_files yields nothing inside these
IGNORE_FILE_MAX_BYTES = 1 << 20


class DiskCache:
    """What a run has learnt of the disk, the most recently used kept: file texts, and the entries of
    folders. The rules of every Dockerfile in a folder ask for the same files (package.json, lockfiles,
    the ignore file, CI workflows), so each is read once; and most files the rules look for are absent,
    which one listing of their folder answers without a system call each. Memory stays the same however
    many files a run checks."""

    def __init__(self, size: int = 256, edits: Mapping[Path, str] | None = None) -> None:
        self.size = size
        self.edits = dict(edits or {})  # texts that stand in for files on disk (real paths): fixes being planned
        self._texts: OrderedDict[tuple[Path, int], str | None] = OrderedDict()
        self._folders: OrderedDict[str, dict[str, str] | None] = OrderedDict()
        self._real: OrderedDict[Path, Path] = OrderedDict()

    def read(self, path: Path, max_bytes: int) -> str | None:
        if path in self.edits:
            return self.edits[path]
        key = (path, max_bytes)
        if key in self._texts:
            self._texts.move_to_end(key)
            return self._texts[key]
        text = self._texts[key] = _read_small_text(path, max_bytes)
        if len(self._texts) > self.size:
            self._texts.popitem(last=False)
        return text

    def real(self, folder: Path) -> Path:
        """``folder.resolve()``, once per folder: each resolve walks every step from / with a system call.
        A folder that its parent lists as a folder (not a symlink) is its parent's real path and its name,
        so the many folders of one parent cost one resolve and one listing."""
        known = self._real.get(folder)
        if known is not None:
            self._real.move_to_end(folder)
            return known
        parent = folder.parent
        parent_real = None if parent == folder else self._real.get(parent) or self._remember(parent, parent.resolve())
        if parent_real is not None and (self.kinds(str(parent_real)) or {}).get(folder.name) == "dir":
            return self._remember(folder, parent_real / folder.name)
        return self._remember(folder, folder.resolve())

    def _remember(self, folder: Path, real: Path) -> Path:
        self._real[folder] = real
        if len(self._real) > self.size * 4:
            self._real.popitem(last=False)
        return real

    def kinds(self, folder: str) -> dict[str, str] | None:
        """Each entry of a real folder: "link", "dir" or "file"; None when it cannot be listed."""
        if folder in self._folders:
            self._folders.move_to_end(folder)
            return self._folders[folder]
        kinds = self._folders[folder] = _list_kinds(folder)
        if len(self._folders) > self.size * 4:
            self._folders.popitem(last=False)
        return kinds


class ContextFiles(Protocol):
    """How the rules reach the files around a Dockerfile: on disk (``DiskFiles``), or not at all when only
    texts read through an API are known (``UnreadFiles``)."""

    @property
    def readable(self) -> bool:
        """Whether the context's files can be listed and read; when not, rules that need them say nothing."""

    def exists(self, relpath: str) -> bool: ...

    def has_directory(self, relpath: str) -> bool: ...

    def read_text(self, relpath: str, max_bytes: int) -> str | None: ...

    def iter_files(self) -> Iterator[str]: ...

    def read_repo_text(self, relpath: str, max_bytes: int) -> str | None: ...

    def iter_repo_files(self, folder: str) -> Iterator[str]: ...

    @property
    def in_git_repository(self) -> bool: ...


class UnreadFiles:
    """The files of a context that is not on disk (a commit read through an API): none are known."""

    readable = False
    in_git_repository = False

    def exists(self, relpath: str) -> bool:
        return False

    def has_directory(self, relpath: str) -> bool:
        return False

    def read_text(self, relpath: str, max_bytes: int) -> str | None:
        return None

    def iter_files(self) -> Iterator[str]:
        return iter(())

    def read_repo_text(self, relpath: str, max_bytes: int) -> str | None:
        return None

    def iter_repo_files(self, folder: str) -> Iterator[str]:
        return iter(())


class DiskFiles:
    """The files of a context folder on disk. Every read stays inside ``repo_root`` (or ``root``): symlinks
    that lead out are treated as absent, never followed."""

    readable = True

    def __init__(self, root: Path, repo_root: Path | None = None, disk: DiskCache | None = None) -> None:
        self.root, self.repo_root = root, repo_root
        self.disk = DiskCache() if disk is None else disk
        self._files: tuple[str, ...] | None = None
        self._resolved: dict[str, Path | None] = {}  # the rules of a Dockerfile ask for the same files

    def exists(self, relpath: str) -> bool:
        path = self._resolve(relpath)
        return path is not None and path.exists()

    def has_directory(self, relpath: str) -> bool:
        path = self._resolve(relpath)
        return path is not None and path.is_dir()

    def read_text(self, relpath: str, max_bytes: int) -> str | None:
        path = self._resolve(relpath)
        return None if path is None else self.disk.read(path, max_bytes)

    def iter_files(self) -> Iterator[str]:
        if self._files is None:
            self._files = tuple(sorted(self._walk(self.root)))
        return iter(self._files)

    @functools.cached_property
    def in_git_repository(self) -> bool:
        return self.repo_root is not None and (self.repo_root / ".git").exists()

    def read_repo_text(self, relpath: str, max_bytes: int) -> str | None:
        path = self._resolve_in_repo(relpath)
        return None if path is None else self.disk.read(path, max_bytes)

    def iter_repo_files(self, folder: str) -> Iterator[str]:
        path = self._resolve_in_repo(folder)
        try:
            with os.scandir(path) if path is not None else nullcontext(()) as scan:
                names = sorted(entry.name for entry in scan if _is_regular_file(entry))
        except OSError:
            names = []
        return iter(f"{folder.strip('/')}/{name}" for name in names)

    @functools.cached_property
    def _boundary(self) -> Path:
        return self.disk.real(self.repo_root or self.root)

    @functools.cached_property
    def _real_root(self) -> Path:
        return self.disk.real(self.root)

    def _resolve_in_repo(self, relpath: str) -> Path | None:
        if self.repo_root is None:
            return None
        return _resolve_below(self._boundary, relpath, self._boundary, self.disk)

    def _resolve(self, relpath: str) -> Path | None:
        """The real path of ``relpath``, or None when it leads out of the boundary."""
        if relpath in self._resolved:
            return self._resolved[relpath]
        found = self._resolved[relpath] = _resolve_below(self._real_root, relpath, self._boundary, self.disk)
        return found

    def _walk(self, root: Path) -> Iterator[str]:
        """Files below ``root``, never entering a symlinked folder; a symlink counts only if it stays inside."""
        pending = [(root, "")]
        while pending:
            folder, prefix = pending.pop()
            try:
                with os.scandir(folder) as scan:
                    entries = list(scan)
            except OSError:
                continue
            for entry in entries:
                relpath = prefix + entry.name
                if _is_real_directory(entry):
                    if entry.name not in UNLISTED_DIRECTORIES:
                        pending.append((Path(entry.path), relpath + "/"))
                elif _is_regular_file(entry) or (entry.is_symlink() and self._is_file_inside(relpath)):
                    yield relpath

    def _is_file_inside(self, relpath: str) -> bool:
        path = self._resolve(relpath)
        return path is not None and path.is_file()


class BuildContext(Record, frozen=False):
    """What the rules may know about the files around a Dockerfile: its ignore file, and the context's
    files through ``files`` (``files.readable`` is False when only texts read through an API are known)."""

    files: ContextFiles
    display_root: str  # how paths in this context are shown: "" for the repository root, "app" for app/
    dockerignore: IgnoreFile | None  # the ignore file in force (<Dockerfile>.dockerignore wins over .dockerignore)

    def __init__(self, files: ContextFiles, display_root: str, dockerignore: IgnoreFile | None) -> None:
        self.__dict__.update(files=files, display_root=display_root, dockerignore=dockerignore)

    @property
    def files_readable(self) -> bool:
        """Whether the context's files can be listed and read (on disk), beyond the Dockerfile and ignore file."""
        return self.files.readable

    def exists(self, relpath: str) -> bool:
        return self.files.exists(relpath)

    def has_directory(self, relpath: str) -> bool:
        """True when ``relpath`` is a folder inside the repository, e.g. a ``node_modules`` left on disk."""
        return self.files.has_directory(relpath)

    def read_text(self, relpath: str, max_bytes: int = 1 << 20) -> str | None:
        """The file's text, or None when absent, outside the repository, binary, or larger than max_bytes."""
        return self.files.read_text(relpath, max_bytes)

    def iter_files(self) -> Iterator[str]:
        """Every file below the context's root (posix paths relative to it), skipping the insides of
        node_modules and .git."""
        return self.files.iter_files()

    def misnamed_ignore_files(self) -> list[IgnoreFile]:
        """Files at the context's root that look meant as its ignore file but that Docker, which opens
        ``.dockerignore`` by that exact name, does not read (``.Dockerignore``, ``. dockerignore``,
        ``dockerignore``, ``.dockerignore.txt``, ``.dockerignore `` with a trailing space), each read as
        Docker would read it under the right name; its path is the name it has."""
        names = [name for name in self.iter_files()
                 if "/" not in name and name != IGNORE_SUFFIX and _MISNAMED_IGNORE_FILE.fullmatch(name)]
        return [parse_ignore_file(name, self.read_text(name, IGNORE_FILE_MAX_BYTES) or "") for name in names]

    def is_sent(self, relpath: str) -> bool:
        """True when the file would reach the Docker daemon (not excluded by the ignore file)."""
        return self.dockerignore is None or not self.dockerignore.excludes(relpath)

    def display_path(self, relpath: str) -> str:
        return f"{self.display_root}/{relpath}" if self.display_root else relpath

    @property
    def in_git_repository(self) -> bool:
        """True when the repository root is a real repository (it holds .git), not only the folder a check
        started in."""
        return self.files.in_git_repository

    def read_repo_text(self, relpath: str, max_bytes: int = 1 << 20) -> str | None:
        """A file anywhere in the repository (a CI workflow), read as read_text reads; None when unknown."""
        return self.files.read_repo_text(relpath, max_bytes)

    def iter_repo_files(self, folder: str) -> Iterator[str]:
        """The regular files directly in a folder of the repository, as repository-relative posix paths."""
        return self.files.iter_repo_files(folder)


IGNORE_SUFFIX = ".dockerignore"
_MISNAMED_IGNORE_FILE = LazyPattern(r"(?i)\s*\.?\s*docker[-_ ]?ignore\s*(?:\.txt\s*)?")


def ignore_file_candidates(dockerfile_path: str, context: str) -> tuple[str, str]:
    """The ignore files BuildKit reads for a Dockerfile (repository-relative), in order of precedence:
    ``<Dockerfile>.dockerignore`` next to it, else ``.dockerignore`` at the root of its context."""
    own = f"{dockerfile_path}{IGNORE_SUFFIX}"
    shared = f"{context}/{IGNORE_SUFFIX}" if context else IGNORE_SUFFIX
    return own, shared


class RepositoryFiles(Protocol):
    """The files of a repository as the engine reads them: on disk (``DiskRepository``), or a commit whose
    files were read elsewhere, through an API or from standard input (``GivenFiles``). Paths are
    repository-relative, posix."""

    def read(self, path: str) -> bytes | str:
        """A Dockerfile's bytes, or why they cannot be read."""

    def shown(self, path: str) -> str:
        """How the file is named to the user."""

    def ignore_file(self, path: str) -> IgnoreFile | None: ...

    def context_files(self, folder: str) -> ContextFiles: ...

    def display_root(self, folder: str) -> str: ...


def build_context(dockerfile_path: str, context_folder: str, repository: RepositoryFiles) -> BuildContext:
    """The build context of a Dockerfile (repository-relative paths; ``context_folder`` "" for the root),
    with the ignore file in force by BuildKit's precedence."""
    candidates = (repository.ignore_file(path) for path in ignore_file_candidates(dockerfile_path, context_folder))
    return BuildContext(
        files=repository.context_files(context_folder),
        display_root=repository.display_root(context_folder),
        dockerignore=next((found for found in candidates if found is not None), None),
    )


class DiskRepository:
    """A repository on disk (``root`` is a real path). Contexts given the same ``disk`` share what they read;
    texts in ``disk.edits`` stand in for the files. Paths are shown relative to ``cwd`` (absolute when
    outside it), or to the repository's root without one."""

    def __init__(self, root: Path, disk: DiskCache | None = None, cwd: Path | None = None) -> None:
        self.root = root
        self.disk = DiskCache() if disk is None else disk
        self.cwd = None if cwd == root else cwd
        self._boundary = self.disk.real(root)

    def read(self, path: str) -> bytes | str:
        file = self.root / path
        edited = self.disk.edits.get(file)
        return read_limited(file) if edited is None else edited.encode("utf-8")

    def shown(self, path: str) -> str:
        file = self.root / path
        return path if self.cwd is None else display_path(file, self.cwd, real=file)

    def ignore_file(self, path: str) -> IgnoreFile | None:
        found = _load_ignore_file(self.root / path, self._boundary, self.disk)
        if found is None or self.cwd is None:
            return found
        return replace(found, path=self._shown_resolved(found.path, self.cwd))

    def context_files(self, folder: str) -> ContextFiles:
        return DiskFiles(self.root / folder, self.root, self.disk)

    def display_root(self, folder: str) -> str:
        root = _repo_relative(self.root / folder, self._boundary, self.disk)
        return root if self.cwd is None else self._shown_resolved(root, self.cwd)

    def _shown_resolved(self, path: str, cwd: Path) -> str:
        """A repository-relative path ("" for the root) shown relative to ``cwd``, symlinks resolved."""
        shown = display_path(self.root / path if path else self.root, cwd)
        return "" if shown == "." else shown


class GivenFiles:
    """A commit whose files were read elsewhere (through an API, or from standard input): the bytes given,
    by path. The ignore files and the build contexts' files come from ``rest``, the same commit on disk,
    when there is one; else only the ignore files given are known, and no other file."""

    def __init__(self, files: Mapping[str, bytes], rest: RepositoryFiles | None = None) -> None:
        self.files, self.rest = files, rest

    def read(self, path: str) -> bytes | str:
        data = self.files.get(path)
        return "not read" if data is None else data

    def shown(self, path: str) -> str:
        return path

    def ignore_file(self, path: str) -> IgnoreFile | None:
        if self.rest is not None:
            return self.rest.ignore_file(path)
        data = self.files.get(path)
        if data is None:
            return None
        if len(data) > IGNORE_FILE_MAX_BYTES:  # the cap the disk reader has
            return oversized_ignore_file(path, IGNORE_FILE_MAX_BYTES)
        return parse_ignore_file(path, data.decode("utf-8", errors="replace"))

    def context_files(self, folder: str) -> ContextFiles:
        return UnreadFiles() if self.rest is None else self.rest.context_files(folder)

    def display_root(self, folder: str) -> str:
        return folder if self.rest is None else self.rest.display_root(folder)


def read_limited(path: Path, max_bytes: int = MAX_BYTES) -> bytes | str:
    """The file's bytes, or a message saying why it cannot be read."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        return f"cannot read the file: {error.strerror or error}"
    if len(data) > max_bytes:
        return f"the file is larger than {size_text(max_bytes)}; not checked"
    return data


def display_path(path: Path, cwd: Path, real: Path | None = None) -> str:
    """``path`` relative to ``cwd`` when it is below it; ``real`` is its resolved form when already known."""
    real = path.resolve() if real is None else real
    try:
        return real.relative_to(cwd).as_posix()
    except ValueError:
        return real.as_posix()


def _load_ignore_file(path: Path, boundary: Path, disk: DiskCache) -> IgnoreFile | None:
    folder = disk.real(path.parent)
    kind = (disk.kinds(str(folder)) or {}).get(path.name)
    if kind is None:
        return None  # absent: answered by the folder's listing, without a system call
    real = _inside(path, boundary) if kind == "link" else folder / path.name
    if real is None or not _is_below(str(real), str(boundary)):
        return None
    text = disk.read(real, IGNORE_FILE_MAX_BYTES)
    if text is None and _larger_than(real, IGNORE_FILE_MAX_BYTES):
        return oversized_ignore_file(_repo_relative(path, boundary, disk), IGNORE_FILE_MAX_BYTES)
    if text is None:
        return None
    return parse_ignore_file(_repo_relative(path, boundary, disk), text)


def _larger_than(path: Path, size: int) -> bool:
    """A too-large ignore file is there, not absent: Docker reads it, so it is reported."""
    try:
        return path.is_file() and path.stat().st_size > size
    except OSError:
        return False


def _repo_relative(path: Path, boundary: Path, disk: DiskCache) -> str:
    """``path`` (itself not resolved, should it be a symlink) relative to the repository root, posix; "" for the root."""
    folder, root = str(disk.real(path.parent)), str(boundary)
    if path.name not in ("", "..") and root != "/" and _is_below(folder, root):  # the common case, without relpath
        return path.name if folder == root else f"{folder[len(root) + 1:]}/{path.name}"
    relative = Path(os.path.relpath(Path(folder) / path.name, boundary)).as_posix()
    return "" if relative == "." else relative


def _resolve_below(real_base: Path, relpath: str, boundary: Path, disk: DiskCache) -> Path | None:
    """``real_base / relpath`` with every symlink resolved, or None when it is absent or leads out of
    ``boundary``.

    ``real_base`` is real already, so only the steps of ``relpath`` can be symlinks: look each step up in
    its folder's listing instead of resolving every folder from / as Path.resolve does; a symlink, ``..``
    or an absolute path takes the full road."""
    if relpath.startswith("/"):
        return _inside(real_base / relpath, boundary)
    path = str(real_base)
    for part in relpath.split("/"):
        if part in ("", "."):
            continue
        kinds = disk.kinds(path) if part != ".." else None
        kind = kinds.get(part) if kinds is not None else None
        if part == ".." or kind == "link":
            return _inside(real_base / relpath, boundary)
        if kind is None:
            return None
        path = os.path.join(path, part)
    return Path(path) if _is_below(path, str(boundary)) else None


def _is_below(path: str, boundary: str) -> bool:
    """``Path(path).is_relative_to(boundary)`` for real (absolute, normalised) paths, without making Paths."""
    if boundary == "/":
        return Path(path).is_relative_to(boundary)
    return path == boundary or path.startswith(boundary + "/")


def _inside(path: Path, boundary: Path) -> Path | None:
    """``path`` with every symlink resolved, or None when that leads out of ``boundary``."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return None
    return real if real.is_relative_to(boundary) else None


def _read_small_text(path: Path, max_bytes: int) -> str | None:
    try:
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode) or status.st_size > max_bytes:
            return None
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError:
        return None
    if len(data) > max_bytes or b"\0" in data:
        return None
    return data.decode("utf-8", errors="replace")


def _list_kinds(folder: str) -> dict[str, str] | None:
    try:
        with os.scandir(folder) as scan:
            return {entry.name: _kind(entry) for entry in scan}
    except OSError:
        return None


def _kind(entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        return "link"
    return "dir" if _is_real_directory(entry) else "file"


def _is_real_directory(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _is_regular_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file(follow_symlinks=False)
    except OSError:
        return False
