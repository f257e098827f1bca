"""Image references as Docker normalises them: registry, repository, tag and digest of a ``FROM``."""
from __future__ import annotations

import re

from nodeguard.record import Record

DOCKER_HUB = "docker.io"
_DOCKER_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"})
VARIABLE = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")
_PLACEHOLDER = re.compile("\x00(\\d+)\x00")


class ImageRef(Record):
    """A parsed ``FROM`` image, e.g. ``ghcr.io/acme/api:1.2@sha256:...``."""

    raw: str  # as written (build arguments already substituted by the caller)
    registry: str  # "docker.io" for Docker Hub; "" for scratch
    repository: str  # "node", "bitnami/node", "docker/library/node": "library/" dropped on Docker Hub only
    tag: str | None
    digest: str | None
    unresolved: bool  # a ``$VAR``/``${VAR}`` is still in it

    def __init__(
        self,
        raw: str,
        registry: str,
        repository: str,
        tag: str | None,
        digest: str | None,
        unresolved: bool = False,
    ) -> None:
        self.__dict__.update(
            raw=raw,
            registry=registry,
            repository=repository,
            tag=tag,
            digest=digest,
            unresolved=unresolved,
        )

    @property
    def is_scratch(self) -> bool:
        return self.repository == "scratch" and not self.registry

    @property
    def is_docker_hub(self) -> bool:
        return self.registry == DOCKER_HUB

    @property
    def full_name(self) -> str:
        """``registry/repository``, always with the registry: ``docker.io/node``."""
        return f"{self.registry}/{self.repository}" if self.registry else self.repository

    @property
    def name(self) -> str:
        """The repository as people write it: ``node``, ``bitnami/node``, ``gcr.io/distroless/nodejs22-debian12``."""
        return self.repository if self.is_docker_hub else self.full_name


def parse_image_ref(text: str) -> ImageRef:
    """Split an image reference the way Docker normalises it; never fails on odd input."""
    raw = text.strip()
    variables: list[str] = []

    def hide(match: re.Match[str]) -> str:
        variables.append(match.group(0))
        return f"\x00{len(variables) - 1}\x00"

    def show(part: str | None) -> str | None:
        return None if part is None else _PLACEHOLDER.sub(lambda m: variables[int(m.group(1))], part)

    masked = VARIABLE.sub(hide, raw)  # ``${VAR:-22}`` holds a ":" that is not a tag separator
    if masked.lower() == "scratch":
        return ImageRef(raw, "", "scratch", None, None)
    name, _, digest = masked.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = None
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    registry, repository = _split_registry(name)
    return ImageRef(
        raw=raw,
        registry=show(registry) or "",
        repository=show(repository) or "",
        tag=show(tag) if tag else None,
        digest=show(digest) or None,
        unresolved=bool(variables),
    )


def _split_registry(name: str) -> tuple[str, str]:
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, repository = first.lower(), rest
    else:
        registry, repository = DOCKER_HUB, name
    if registry in _DOCKER_HUB_ALIASES:
        registry = DOCKER_HUB
        if repository.startswith("library/") and repository.count("/") == 1:
            repository = repository[len("library/") :]
    return registry, repository
