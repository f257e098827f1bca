"""Which tags the official ``node`` image publishes for each Node.js release line, derived from the tag
list of ``library/node`` on Docker Hub: the newest release with an image, the variants that release is
published in (``alpine``, ``alpine3.22``, ``bookworm``, ``bookworm-slim``, ``slim``, ``trixie``...; ``""``
is the plain tag), and every release of the line that has an image.

The bundled copy is ``data/node-image-tags.json``, written by the maintainer command
(``python -m nodeguard.remote.node_data --write``) with the release data; ``check --refresh-data`` and
the action read the registry's list for the run instead (``use_tags``). Without either (a copy taken
where the registry could not be reached has no ``lines``), nothing is known and rules say what they said
before. What cannot be derived from tag names (which OS a variant is, who the image runs as, which
programs the full image has) stays hand-written in ``data/base-images.yml`` and ``variants.py``.
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from nodeguard.node.releases import DATA
from nodeguard.record import Record

BUNDLED = DATA / "node-image-tags.json"
_TAG = re.compile(r"(?P<version>\d+\.\d+\.\d+)(?:-(?P<variant>.+))?")
_summary_in_force: dict | None = None  # a tag list read for this run (--refresh-data, the action)


class LineTags(Record):
    """The official image's tags for one release line."""

    major: int
    newest: str  # the newest release with an image: "24.11.1"
    variants: frozenset[str]  # the variants ``newest`` is published in; "" is the plain tag

    def __init__(self, major: int, newest: str, variants: frozenset[str]) -> None:
        self.__dict__.update(major=major, newest=newest, variants=variants)

    def publishes(self, variant: str) -> bool:
        """``<line>-<variant>`` follows the line's newest release (``""``: the plain ``<line>`` tag)."""
        return variant in self.variants


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def summarize(tags: Iterable[str]) -> dict[str, dict]:
    """Per major line (``"24"``): ``newest``, its ``variants`` and every ``releases`` with an image, from tag
    names such as ``24.11.1-alpine3.22``. Tags without a full version (``24-alpine``, ``lts``, ``alpine``)
    move with a release that also has full-version tags, so they add nothing."""
    variants_of: dict[str, set[str]] = {}
    for tag in tags:
        found = _TAG.fullmatch(tag)
        if found:
            variants_of.setdefault(found.group("version"), set()).add(found.group("variant") or "")
    lines: dict[str, list[str]] = {}
    for version in variants_of:
        lines.setdefault(str(_version_key(version)[0]), []).append(version)
    summary = {}
    for major in sorted(lines, key=int):
        releases = sorted(lines[major], key=_version_key)
        summary[major] = {"newest": releases[-1], "variants": sorted(variants_of[releases[-1]]),
                          "releases": releases}
    return summary


def use_tags(lines: dict[str, dict] | None) -> None:
    """Judge by ``lines`` (from ``summarize``) for the rest of this process; None: by the bundled copy."""
    global _summary_in_force
    _summary_in_force = lines
    line_tags.cache_clear()


@functools.cache
def _bundled_lines() -> dict:
    try:
        lines = json.loads(BUNDLED.read_text("utf-8")).get("lines")
    except FileNotFoundError:
        return {}
    return lines if isinstance(lines, dict) else {}


@functools.cache
def line_tags(major: int) -> LineTags | None:
    """The tags of ``major``'s line from the tag list in force (this run's, else the bundled copy); None
    when it is not known."""
    lines = _summary_in_force if _summary_in_force is not None else _bundled_lines()
    entry = lines.get(str(major))
    if not isinstance(entry, dict) or not entry.get("newest"):
        return None
    return LineTags(major, entry["newest"], frozenset(entry.get("variants") or ()))
