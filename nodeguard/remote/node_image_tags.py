"""The official ``node`` image's tag list, read from Docker Hub (``library/node``) through the registry
client (its allow-list, 5 s timeout per request, bounded retries, pages followed by ``Link``), and what it
says per release line (``nodeguard.node.image_tags``). ``check --refresh-data`` and the action read it once
per run and fall back to the bundled copy; the maintainer command writes the bundled copy."""
from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from nodeguard.model.reference import parse_image_ref
from nodeguard.node import image_tags
from nodeguard.remote.registry import ATTEMPTS, TIMEOUT_SECONDS, DigestResolver, TagList

NODE_IMAGE = "node"  # docker.io/library/node
# The registry read instead of Docker Hub (host[:port], serving library/node): tests point it at a
# registry on this machine.
REGISTRY_VARIABLE = "NODEGUARD_NODE_IMAGE_REGISTRY"


class TagsUnavailable(Exception):
    """The tag list could not be read, or names no release; ``str()`` says why."""


def fetch(environ: Mapping[str, str], *, timeout: float = TIMEOUT_SECONDS, attempts: int = ATTEMPTS,
          tls_verify: bool | str = True) -> tuple[dict[str, dict], TagList]:
    """The tag list of ``library/node`` and its summary per line."""
    registry = environ.get(REGISTRY_VARIABLE)
    if registry:
        ref = parse_image_ref(f"{registry}/library/{NODE_IMAGE}")
        resolver = DigestResolver(trusted=[registry], timeout=timeout, attempts=attempts, tls_verify=tls_verify)
    else:
        ref = parse_image_ref(NODE_IMAGE)
        resolver = DigestResolver(timeout=timeout, attempts=attempts, tls_verify=tls_verify)
    listed = resolver.list_tags(ref)
    if listed.problem is not None:
        raise TagsUnavailable(listed.problem)
    lines = image_tags.summarize(listed.tags)
    if not lines:
        raise TagsUnavailable(f"no tag of {listed.repository} names a release ({len(listed.tags)} tags)")
    return lines, listed


def refresh_for_run(environ: Mapping[str, str], *, tls_verify: bool | str = True) -> str:
    """Judge this run by the registry's tag list when it can be read; a note saying which tags are in force.
    One try (5 s a request), as for the release data: a run waits at most seconds for facts it has a copy of."""
    try:
        lines, listed = fetch(environ, attempts=1, tls_verify=tls_verify)
    except TagsUnavailable as error:
        return f"image tags: not refreshed ({error}); {_bundled_text()}"
    image_tags.use_tags(lines)
    return f"image tags: read {read_text(listed)}: {len(lines)} release lines"


def read_text(listed: TagList) -> str:
    """``412 tags of library/node (1 page, 3 requests)``."""
    return (f"{len(listed.tags)} tags of {listed.repository} ({listed.pages} page{'s' * (listed.pages != 1)}, "
            f"{listed.requests} request{'s' * (listed.requests != 1)})")


def _bundled_text() -> str:
    try:
        taken = json.loads(image_tags.BUNDLED.read_text("utf-8")).get("taken")
    except FileNotFoundError:
        taken = None
    return f"the bundled copy of {taken} is used" if taken else "which tags exist is not known"


def write_bundled(lines: dict[str, dict], listed: TagList, folder: Path, taken: date) -> None:
    """The maintainer's refresh: the summary per line, and what was read when."""
    data = {"taken": taken.isoformat(), "source": f"registry-1.docker.io/{listed.repository} (tags/list)",
            "tags": len(listed.tags), "lines": lines}
    (folder / image_tags.BUNDLED.name).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
