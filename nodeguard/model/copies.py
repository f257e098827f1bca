"""``COPY`` and ``ADD`` as typed views: sources, destination and options, computed once per image."""
from __future__ import annotations

import functools
import posixpath
import re

from nodeguard.model.ignore import IgnoreFile, clean_path, parse_ignore_file
from nodeguard.model.image import Image, Step
from nodeguard.model.parse import RefusedArguments, argument_values
from nodeguard.record import Record

REMOTE_SOURCE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@)", re.IGNORECASE | re.ASCII)


class Copy(Record):
    """One ``COPY``/``ADD`` step: what it reads, where it writes, and its options (build arguments substituted)."""

    step: Step
    words: tuple[str, ...]  # sources then destination, quotes removed, variables substituted
    source_stage: str | None  # ``--from``: a stage name or index, or an image (variables substituted)
    chown: str | None  # ``--chown`` as written ("" for a bare flag)
    chmod: str | None
    link: bool
    excludes: tuple[str, ...]  # ``--exclude`` patterns

    def __init__(
        self,
        step: Step,
        words: tuple[str, ...],
        source_stage: str | None,
        chown: str | None,
        chmod: str | None,
        link: bool,
        excludes: tuple[str, ...],
    ) -> None:
        self.__dict__.update(
            step=step,
            words=words,
            source_stage=source_stage,
            chown=chown,
            chmod=chmod,
            link=link,
            excludes=excludes,
        )

    @property
    def sources(self) -> tuple[str, ...]:
        return self.words[:-1]

    @property
    def destination(self) -> str:
        return self.words[-1]

    @property
    def target(self) -> str:
        """The destination as an absolute path of the image (WORKDIR applied)."""
        return absolute(self.destination, self.step.workdir)

    @property
    def owner(self) -> str | None:
        """``--chown`` with variables substituted: the user (and group) the copied files belong to."""
        return self.step.word(self.chown) if self.chown else None


class ContextCopy(Record):
    """A ``COPY``/``ADD`` that reads the build context."""

    step: Step
    sources: tuple[str, ...]  # as written, build arguments and ENV substituted
    destination: str
    excludes: tuple[str, ...]  # ``--exclude`` patterns

    def __init__(self, step: Step, sources: tuple[str, ...], destination: str, excludes: tuple[str, ...] = ()) -> None:
        self.__dict__.update(step=step, sources=sources, destination=destination, excludes=excludes)

    @property
    def copies_whole_context(self) -> bool:
        return any(clean_path(source) == "." for source in self.sources)

    def may_take(self, relpath: str) -> bool:
        """True when one of the sources can take the context path ``relpath``: the context root, a source
        with a variable left unresolved, or a source that names the path, a folder above it, or a wildcard
        that matches it (``*`` matches a leading dot, as Go's ``filepath.Match`` does); ``--exclude`` counts."""
        path = clean_path(relpath)
        for source in self.sources:
            cleaned = clean_path(source).lstrip("/") or "."
            if cleaned == "." or "$" in cleaned:
                return not self.leaves_out(path)
            if _patterns("COPY", cleaned).excludes(path):
                return not self.leaves_out(path)
        return False

    def leaves_out(self, relpath: str) -> bool:
        """True when the copy's ``--exclude`` patterns (matched as BuildKit matches ignore-file patterns,
        from the root of a whole-context copy) keep the context file out."""
        if not self.excludes:
            return False
        return _patterns("--exclude", "\n".join(self.step.word(item) for item in self.excludes)).excludes(relpath)


@functools.lru_cache(maxsize=1024)
def _patterns(name: str, text: str) -> IgnoreFile:
    """Patterns read as ignore-file lines, once per text: a copy's sources and excludes are asked of many paths."""
    return parse_ignore_file(name, text)


def absolute(path: str, workdir: str) -> str:
    joined = path if path.startswith("/") else posixpath.join(workdir or "/", path)
    return posixpath.normpath(joined).replace("//", "/")


def copy_words(step: Step) -> list[str]:
    """The sources and destination of a COPY/ADD as BuildKit reads them: the exec form's strings, or the
    shell form split at white space; then each word's quotes and escapes resolved and variables substituted."""
    return [step.word(word) for word in _written_words(step.instruction.args, step.instruction.json_args)]


@functools.lru_cache(maxsize=1024)
def _written_words(args: str, json_args: tuple[str, ...] | None) -> tuple[str, ...]:
    if json_args is not None:
        return json_args
    try:
        return tuple(argument_values("COPY", args))
    except RefusedArguments:
        return ()


def copy_of(step: Step) -> Copy | None:
    """The step as a typed copy, or None when it is not a COPY/ADD with a source and a destination."""
    if step.keyword not in ("COPY", "ADD"):
        return None
    words = tuple(copy_words(step))
    if len(words) < 2:
        return None
    instruction = step.instruction
    source_stage = instruction.flag("from")
    return Copy(
        step=step,
        words=words,
        source_stage=step.word(source_stage) if source_stage else None,
        chown=instruction.flag("chown"),
        chmod=instruction.flag("chmod"),
        link=instruction.flag("link") not in (None, "false"),
        excludes=tuple(item.split("=", 1)[1] for item in instruction.flags if item.startswith("--exclude=")),
    )


def copies_by_stage(image: Image) -> dict[int, tuple[Copy, ...]]:
    """The copies of each stage's own steps, in file order: computed once per image."""
    cached = image.derived.get("copies")
    if cached is None:
        cached = {
            stage.index: tuple(copy for copy in map(copy_of, stage.steps) if copy is not None) for stage in image.stages
        }
        image.derived["copies"] = cached
    return cached


def copy_at(image: Image, step: Step) -> Copy | None:
    """The typed copy of a step of the image, or None when the step is no COPY/ADD with a destination."""
    by_line = image.derived.get("copy_by_line")
    if by_line is None:
        by_line = {copy.step.line: copy for copies in copies_by_stage(image).values() for copy in copies}
        image.derived["copy_by_line"] = by_line
    return by_line.get(step.line)


def lineage_copies(image: Image, stage_index: int) -> list[Copy]:
    """The copies that make up a stage's filesystem: its parents' first."""
    index = copies_by_stage(image)
    return [copy for member in image.stages[stage_index].lineage() for copy in index[member.index]]


def context_copy(step: Step) -> ContextCopy | None:
    """The step as a copy from the build context, or None (another stage, an image, a URL, a heredoc)."""
    return _from_context(copy_of(step))


def _from_context(copy: Copy | None) -> ContextCopy | None:
    if copy is None or copy.source_stage is not None:
        return None
    sources = tuple(word for word in copy.sources if not word.startswith("<<") and not REMOTE_SOURCE.match(word))
    return ContextCopy(copy.step, sources, copy.destination, copy.excludes) if sources else None


def context_copies(image: Image) -> list[ContextCopy]:
    """Every copy from the build context, in every stage, in file order."""
    cached = image.derived.get("context_copies")
    if cached is None:
        cached = [copy for copy in (_from_context(copy_at(image, step)) for stage in image.stages for step in stage.steps)
                  if copy]
        image.derived["context_copies"] = cached
    return list(cached)


def context_copy_at(image: Image, step: Step) -> ContextCopy | None:
    """``context_copy`` of a step of the image, worked out once per image."""
    by_line = image.derived.get("context_copy_by_line")
    if by_line is None:
        by_line = image.derived["context_copy_by_line"] = {copy.step.line: copy for copy in context_copies(image)}
    return by_line.get(step.line)


def whole_context_copy(image: Image) -> ContextCopy | None:
    """The ``COPY . .`` that matters most: the first one the shipped image inherits, else the first one."""
    whole = [copy for copy in context_copies(image) if copy.copies_whole_context]
    final = image.final
    lineage = {stage.index for stage in final.lineage()} if final is not None else set()
    shipped = [copy for copy in whole if copy.step.stage_index in lineage]
    found = shipped or whole
    return found[0] if found else None


def explicitly_copied(image: Image) -> set[str]:
    """Context paths a COPY/ADD names one by one (``COPY .npmrc ./``): ignoring them would break the build."""
    return {clean_path(source) for copy in context_copies(image) for source in copy.sources}
