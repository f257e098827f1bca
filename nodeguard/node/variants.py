"""Smaller variants of full-OS base images, and what moving to one would take away."""
from __future__ import annotations

from datetime import date

from nodeguard.model.reference import ImageRef
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


def smaller_variants(ref: ImageRef, facts: NodeImageFacts, today: date) -> str:
    """What to use instead of a full image, as text for a message."""
    if facts.family == "ubi":
        return f"the `{ref.name}-minimal` image (microdnf instead of dnf)"
    version = facts.version
    pinned = version is not None and version != "latest"
    major = (resolve_node_version(version, today) if version is not None and pinned else None) or resolve_node_version("lts", today)
    word = facts.version if facts.family == "node" and pinned else str(major)
    slim = slim_tag(ref.tag) if facts.family == "node" else None
    first = f"`{ref.name}:{slim}`" if slim else f"`node:{word}-slim`"
    if major is None or not line_status(major, today).is_supported:  # distroless publishes supported lines only
        return f"{first} or `node:{word}-alpine`"
    return f"{first}, `node:{word}-alpine` or `gcr.io/distroless/nodejs{major}-debian12`"
