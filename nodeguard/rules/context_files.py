"""What a Dockerfile takes from its build context, and how its ignore file reads: shared by the rules of
practices 9 and 10."""
from __future__ import annotations

import functools
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass

from nodeguard.model.context import BuildContext
from nodeguard.model.ignore import IgnoreFile, clean_path, parse_ignore_file
from nodeguard.model.image import Image, Step
from nodeguard.node.packages import IGNORE_MUST_HAVE, IgnoreEntry
from nodeguard.node.workspaces import nested_node_modules

_REMOTE_SOURCE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@)", re.IGNORECASE)
# A "#" after blank space, on a pattern line: Docker keeps it in the pattern.
_INLINE_COMMENT = re.compile(r"^(?P<pattern>[^#]*?\S)\s+(?P<comment>#.*)$")


@dataclass(frozen=True)
class ContextCopy:
    """A ``COPY``/``ADD`` that reads the build context."""

    step: Step
    sources: tuple[str, ...]  # as written, build arguments and ENV substituted
    destination: str

    @property
    def copies_whole_context(self) -> bool:
        return any(clean_path(source) == "." for source in self.sources)


def copy_words(step: Step) -> list[str]:
    """The sources and destination of a COPY/ADD, quotes removed, variables substituted."""
    instruction = step.instruction
    words = instruction.json_args if instruction.json_args is not None else _shell_words(instruction.args)
    return [step.expand(word) for word in words]


@functools.lru_cache(maxsize=1024)
def _shell_words(args: str) -> tuple[str, ...]:
    """Several rules ask for the same COPY's words: split each text once."""
    try:
        return tuple(shlex.split(args))
    except ValueError:
        return tuple(args.split())


def context_copy(step: Step) -> ContextCopy | None:
    """The step as a copy from the build context, or None (another stage, an image, a URL, a heredoc)."""
    if step.keyword not in ("COPY", "ADD") or step.instruction.flag("from") is not None:
        return None
    words = copy_words(step)
    if len(words) < 2:
        return None
    sources = tuple(word for word in words[:-1] if not word.startswith("<<") and not _REMOTE_SOURCE.match(word))
    return ContextCopy(step, sources, words[-1]) if sources else None


def context_copies(image: Image) -> list[ContextCopy]:
    """Every copy from the build context, in every stage, in file order."""
    copies = (context_copy(step) for stage in image.stages for step in stage.steps)
    return [copy for copy in copies if copy is not None]


def whole_context_copy(image: Image) -> ContextCopy | None:
    """The ``COPY . .`` that matters most: the first one the shipped image inherits, else the first one."""
    whole = [copy for copy in context_copies(image) if copy.copies_whole_context]
    final = image.final
    lineage = {stage.index for stage in final.lineage()} if final is not None else set()
    shipped = [copy for copy in whole if copy.step.stage_index in lineage]
    return (shipped or whole or [None])[0]


def inline_comment(line: str) -> tuple[str, str] | None:
    """``node_modules # deps`` -> ("node_modules", "# deps"); None for other lines."""
    if line.lstrip().startswith("#"):
        return None
    match = _INLINE_COMMENT.match(line.strip())
    return (match.group("pattern"), match.group("comment")) if match else None


def without_inline_comments(ignore: IgnoreFile) -> IgnoreFile:
    """The ignore file as it reads once every inline comment has moved to a line of its own."""
    lines = []
    for line in ignore.lines:
        split = inline_comment(line)
        lines.append(split[0] if split else line)
    return parse_ignore_file(ignore.path, "\n".join(lines))


def append_lines(ignore: IgnoreFile, entries: Iterable[str]) -> tuple[int, str]:
    """Where and what to write to add ``entries`` at the end of the file: (line, replacement)."""
    added = "\n".join(entries)
    if not ignore.lines:
        return 1, added
    return len(ignore.lines), f"{ignore.lines[-1]}\n{added}"



def explicitly_copied(image: Image) -> set[str]:
    """Context paths a COPY/ADD names one by one (``COPY .npmrc ./``): ignoring them would break the build."""
    return {clean_path(source) for copy in context_copies(image) for source in copy.sources}


def missing_ignore_lines(image: Image, context: BuildContext, ignore: IgnoreFile | None) -> list[tuple[IgnoreEntry, list[str]]]:
    """The must-have entries ``ignore`` (None: no file at all) does not keep out, with the lines to add.

    ``node_modules`` becomes ``**/node_modules`` in a context that holds nested packages (a plain entry
    that misses them is NG905's); a path the Dockerfile copies by name is never asked for.
    """
    nested = nested_node_modules(context)
    copied = explicitly_copied(image)
    missing = []
    for entry in IGNORE_MUST_HAVE:
        pattern = entry.pattern
        lines = [pattern] if pattern not in copied and (ignore is None or not ignore.excludes(pattern)) else []
        if entry.pattern == "node_modules" and lines and nested:
            lines = ["**/node_modules"]
        if lines:
            missing.append((entry, lines))
    return missing
