"""Base images need an explicit, deterministic tag: never none, never `latest` or another moving tag.

## What it does
Checks the image of every `FROM` (build stages too) and reports one that has no tag, uses the
`latest` tag or another tag without a Node.js version, which moves to each new major line the same
way (`node:alpine`, `node:slim`, `node:bookworm`, `node:lts-alpine`, `node:current-slim`); and, as a
warning, one pinned by digest whose tag names no version (`node:latest@sha256:...`,
`node:alpine@sha256:...`, `node@sha256:...`), which builds the same image every time but hides which
version that is. `node:lts-alpine@sha256:...`, the cheat sheet's own form, passes: the digest fixes the
image and the tag says it is an LTS line. Build arguments are substituted first
(`ARG NODE_VERSION=22` before `FROM node:${NODE_VERSION}-alpine` counts as `node:22-alpine`); a tag
that still depends on an argument without a default is reported once, as info, because nothing can
be said about it. An image whose name carries the Node.js line and that publishes no version tags
(`gcr.io/distroless/nodejs22-debian12`, Red Hat's `ubi9/nodejs-22`) is named as precisely as
`node:22`, so its `latest` (written or implied) passes; rule NG102 still asks for its digest.

## Why
`FROM node` means `node:latest`: every build pulls whatever was published last, so two builds of the
same commit can differ, a new major Node.js version arrives unannounced, and you inherit the full
Debian image. A tag names what you build on; a lockfile does the same for npm packages.

## Example
```dockerfile
FROM node
FROM node:latest AS build
FROM node:lts-alpine AS test
FROM node@sha256:<digest>
```
Use instead:
```dockerfile
FROM node:22.11.0-alpine AS build
FROM node:22-alpine@sha256:<digest>
```

## Fix
Pick the Node.js LTS line you test with and a small variant, e.g. `node:22-alpine`, and pin it by
digest as well (rule NG102). There is no automatic fix: the right version is yours to choose. For a
moving tag the message names the newest release of today's LTS line (`node:26.3.0-alpine`) when the
data read for the run or bundled knows it (`--refresh-data`, the action's refresh, or a bundled copy
refreshed with `make node-data`): the newest the official image publishes in that variant when its tag
list is known, else the newest Node.js release; `<version>` otherwise. The `today` option
(`"2026-11-26"`) fixes the day the schedule is read for.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from nodeguard.findings import Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image
from nodeguard.node.image_tags import line_tags
from nodeguard.node.images import describe_node_image, node_line_in_name
from nodeguard.node.releases import MOVING_VERSION_WORDS, newest_release, resolve_node_version
from nodeguard.node.support import day_of
from nodeguard.rules.base import Problem, Rule, TodayOptions

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from nodeguard.model.reference import ImageRef


def check(image: Image, context: BuildContext, options: TodayOptions) -> Iterator[Problem]:
    today = day_of(options.today)
    for stage in image.stages:
        if stage.parent is not None:
            continue
        ref = stage.base
        line, end = stage.from_instruction.start_line, stage.from_instruction.end_line
        if ref.unresolved:
            yield Problem(
                line,
                f"the base image `{ref.raw}` depends on a build argument without a default; its tag cannot be judged",
                end_line=end,
                severity=Severity.INFO,
            )
        elif ref.repository == "scratch" or (ref.tag in (None, "latest") and node_line_in_name(ref)):
            continue
        elif ref.tag is None and ref.digest is not None:
            yield Problem(
                line,
                f"`{ref.raw}` is pinned by digest but names no tag, so no one can tell which version it is; "
                f"keep the tag next to the digest: `{ref.name}:<tag>@{ref.digest}`",
                end_line=end,
                severity=Severity.WARNING,
            )
        elif ref.tag is None:
            yield Problem(line, f"`{ref.raw}` has no tag, so it means `{ref.raw}:latest`, which changes with every release; name a version", end_line=end)
        elif ref.digest is not None and _version_word(ref) == "lts":
            continue  # the cheat sheet's own form: node:lts-alpine@sha256:... is reproducible and says "LTS"
        elif _moves(ref) and ref.digest is not None:
            yield Problem(
                line,
                f"`{ref.raw}` is pinned by its digest, so every build gets the same image, but the tag "
                f"`{ref.tag}` names no Node.js version: no one can tell which line it is, and the next digest "
                f"update may jump to a new major line; name the version: `{ref.name}:{_suggested(ref.tag, today)}@{ref.digest}`",
                end_line=end,
                severity=Severity.WARNING,
            )
        elif ref.tag == "latest":
            yield Problem(line, f"`{ref.raw}` uses the `latest` tag, which changes with every release; name a version", end_line=end)
        elif _moves(ref):
            yield Problem(
                line,
                f"`{ref.raw}` names no Node.js version: like `latest`, the tag `{ref.tag}` moves to the next "
                f"major line when one is released; name a version: `{ref.name}:{_suggested(ref.tag, today)}`",
                end_line=end,
            )


def _suggested(tag: str, today: date) -> str:
    """The tag with a version where the moving word was: lts-alpine -> 26.3.0-alpine (or <version>-alpine)."""
    rest = re.sub(r"^(?:latest|current|lts)(?:-|$)", "", tag)
    version = _suggested_version(resolve_node_version("lts", today), rest)
    return f"{version}-{rest}" if rest else version


def _suggested_version(line: int | None, variant: str) -> str:
    """The newest release of today's LTS line: the newest the official image publishes in ``variant`` when
    its tag list is known, else the newest release the release data names; else a placeholder."""
    if line is None:
        return "<version>"
    tags = line_tags(line)
    if tags is not None:
        return tags.newest if tags.publishes(variant) else "<version>"
    return newest_release(line) or "<version>"


def _version_word(ref: ImageRef) -> str | None:
    facts = describe_node_image(ref)
    return facts.version if facts is not None else None


def _moves(ref: ImageRef) -> bool:
    """A tag whose Node.js line changes over time: `latest`, or no version word at all, or `lts`/`current`."""
    return ref.tag == "latest" or _version_word(ref) in MOVING_VERSION_WORDS


RULE = Rule(
    id="NG101",
    name="base-image-tag",
    section=1,
    severity=Severity.ERROR,
    summary="Base image without a tag, or with `latest` or another tag without a Node.js version",
    check=check,
    doc=__doc__,
    options=TodayOptions,
)
