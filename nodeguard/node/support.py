"""Which Node.js line a base image ships, and whether that line is LTS or still supported on a given day."""
from __future__ import annotations

from datetime import date

from nodeguard.model.reference import ImageRef
from nodeguard.node.images import NodeImageFacts, describe_node_image
from nodeguard.node.releases import LineStatus, line_status, lts_majors, resolve_node_version

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from nodeguard.node.node_installs import NodeInstall


def day_of(option: date | None) -> date:
    """The day a rule judges by: the ``today`` option (``"2026-11-26"`` in the policy) when set, else today."""
    return date.today() if option is None else option


def image_line(ref: ImageRef, today: date) -> tuple[NodeImageFacts, LineStatus] | None:
    """The facts and the release line of a well-known Node.js image, when its tag names a line."""
    if ref.unresolved:
        return None
    facts = describe_node_image(ref)
    if facts is None or not facts.contains_node or facts.version is None:
        return None
    major = resolve_node_version(facts.version, today)
    return None if major is None else (facts, line_status(major, today))


def lts_lines(today: date) -> list[int]:
    """The LTS lines (active or maintenance) on ``today``, newest first: where to move to."""
    return lts_majors(today)


def lines_text(majors: list[int]) -> str:
    """``[24, 22]`` -> ``"24 or 22"``."""
    names = [str(major) for major in majors]
    return " or ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + " or " + names[-1]


def version_note(version_word: str | None, major: int) -> str:
    """`` (`lts` means 24 today)`` for a moving tag word; nothing for a version number (or none)."""
    return "" if version_word is None or version_word[:1].isdigit() or version_word[:1] == "v" else f" (`{version_word}` means {major} today)"


def install_line(install: NodeInstall, today: date) -> LineStatus | None:
    """The release line a RUN's install of Node.js puts into the image, when its version word names one."""
    major = install.major(today)
    return None if major is None else line_status(major, today)
