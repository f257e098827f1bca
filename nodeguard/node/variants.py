"""Smaller variants of full-OS base images, and what moving to one would take away."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from nodeguard.model.reference import ImageRef
from nodeguard.node.image_tags import line_tags
from nodeguard.node.images import NodeImageFacts
from nodeguard.node.packages import BUILD_TOOLS
from nodeguard.node.releases import line_status, resolve_node_version

# Programs the official node full (buildpack-deps) image has and its -slim variant does not: a stage
# that calls one of them would break on -slim, so the switch is not mechanical there.
FULL_IMAGE_ONLY_PROGRAMS = frozenset(BUILD_TOOLS) | frozenset(
    {"curl", "wget", "ssh", "scp", "svn", "hg", "bzr", "ps", "unzip", "xz", "bzip2", "file", "jq"}
)


def slim_tag(tag: str | None) -> str | None:
    """``22`` -> ``22-slim``, ``22-bookworm`` -> ``22-bookworm-slim``; None where no such tag is published."""
    if not tag or tag == "latest" or "$" in tag:
        return None
    return f"{tag}-slim"


def _publishes(major: int | None) -> Callable[[str], bool]:
    """Whether the official image publishes a variant for ``major``'s newest release, by the tag list in
    force (``image_tags``); always True when that is not known."""
    tags = line_tags(major) if major is not None else None
    return (lambda variant: True) if tags is None else tags.publishes


def slim_published(facts: NodeImageFacts, today: date) -> bool:
    """The ``-slim`` of an official full tag (``22-bookworm`` -> ``bookworm-slim``) follows the line's newest
    release, or the tag list is not known."""
    major = resolve_node_version(facts.version, today) if facts.version is not None else None
    return _publishes(major)(f"{facts.os_release}-slim" if facts.os_release else "slim")


def smaller_variants(ref: ImageRef, facts: NodeImageFacts, today: date) -> str:
    """What to use instead of a full image, as text for a message; a variant the tag list in force shows
    the line no longer publishes is left out."""
    if facts.family == "ubi":
        return f"the `{ref.name}-minimal` image (microdnf instead of dnf)"
    version = facts.version
    pinned = version is not None and version != "latest"
    major = (resolve_node_version(version, today) if version is not None and pinned else None) or resolve_node_version("lts", today)
    word = facts.version if facts.family == "node" and pinned else str(major)
    published = _publishes(major)
    slim = slim_tag(ref.tag) if facts.family == "node" and slim_published(facts, today) else None
    choices = [f"`{ref.name}:{slim}`" if slim else f"`node:{word}-slim`" if published("slim") else None,
               f"`node:{word}-alpine`" if published("alpine") else None]
    if major is not None and line_status(major, today).is_supported:  # distroless publishes supported lines only
        choices.append(f"`gcr.io/distroless/nodejs{major}-debian12`")
    named = [choice for choice in choices if choice] or [f"`node:{word}-slim`"]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " or " + named[-1]
