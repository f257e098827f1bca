"""Image references, and what the name and tag of a well-known Node.js image say about it.

The facts live in ``data/base-images.yml``; this module only applies its patterns.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nodeguard.node.releases import codenames

DOCKER_HUB = "docker.io"
_DOCKER_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"})
_VARIABLE = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")
_PLACEHOLDER = re.compile("\x00(\\d+)\x00")


@dataclass(frozen=True)
class ImageRef:
    """A parsed ``FROM`` image, e.g. ``ghcr.io/acme/api:1.2@sha256:...``."""

    raw: str  # as written (build arguments already substituted by the caller)
    registry: str  # "docker.io" for Docker Hub; "" for scratch
    repository: str  # "node", "bitnami/node", "docker/library/node": "library/" dropped on Docker Hub only
    tag: str | None
    digest: str | None
    unresolved: bool = False  # a ``$VAR``/``${VAR}`` is still in it

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

    masked = _VARIABLE.sub(hide, raw)  # ``${VAR:-22}`` holds a ":" that is not a tag separator
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


@dataclass(frozen=True)
class NodeImageFacts:
    """What a well-known image's name and tag say. None in a field means "not known for sure"."""

    family: str  # the id in base-images.yml: node, distroless, chainguard, ubi, ...
    contains_node: bool
    version: str | None  # the Node.js version word ("22", "lts", "iron", "latest"); see releases.py
    variant: str | None  # full, alpine, slim, distroless, distroless-debug, chainguard, ubi-minimal, ...
    os_family: str | None
    os_release: str | None
    small: bool | None
    default_user: str | None  # who it runs as without a USER: "root", a name or a uid
    has_shell: bool | None
    init: bool | None  # an init (tini, dumb-init) is the entrypoint
    package_manager: str | None

    @property
    def runs_as_root(self) -> bool | None:
        return None if self.default_user is None else self.default_user in ("root", "0")


_FACTS = ("contains_node", "default_user", "has_shell", "init", "os_family", "package_manager", "small")


@dataclass(frozen=True)
class _Variant:
    match: re.Pattern[str]
    name: str
    facts: dict[str, Any]


@dataclass(frozen=True)
class _Family:
    id: str
    name: re.Pattern[str]
    tag: re.Pattern[str] | None
    implicit_version: str | None
    facts: dict[str, Any]
    variants: tuple[_Variant, ...]

    def variant_for(self, text: str) -> tuple[_Variant, re.Match[str]] | None:
        for variant in self.variants:
            match = variant.match.fullmatch(text)
            if match:
                return variant, match
        return None


@functools.cache
def _families() -> tuple[_Family, ...]:
    text = (Path(__file__).parent / "data" / "base-images.yml").read_text("utf-8")
    codename_alternatives = "|".join(sorted(codenames(), key=len, reverse=True))
    families = []
    for entry in yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["families"]:
        tag = entry.get("tag")
        families.append(
            _Family(
                id=entry["id"],
                name=re.compile(entry["name"]),
                tag=re.compile(tag.replace("{codename}", codename_alternatives)) if tag else None,
                implicit_version=entry.get("implicit_version"),
                facts={key: entry[key] for key in _FACTS if key in entry},
                variants=tuple(
                    _Variant(
                        match=re.compile(variant["match"]),
                        name=variant["variant"],
                        facts={key: variant[key] for key in _FACTS if key in variant},
                    )
                    for variant in entry.get("variants", ())
                ),
            )
        )
    return tuple(families)


def _family_of(ref: ImageRef) -> tuple[_Family, re.Match[str]] | None:
    if ref.is_scratch or "$" in ref.full_name:
        return None
    for family in _families():
        match = family.name.fullmatch(ref.full_name)
        if match:
            return family, match
    return None


def node_line_in_name(ref: ImageRef) -> str | None:
    """The Node.js version an image's name carries (``gcr.io/distroless/nodejs22-debian12`` -> "22"), or None.

    Such images publish no version tags: their ``latest`` moves only within the named line."""
    found = _family_of(ref)
    return None if found is None else found[1].groupdict().get("version")


def describe_node_image(ref: ImageRef) -> NodeImageFacts | None:
    """The facts of a well-known image (None for images base-images.yml does not list)."""
    found = _family_of(ref)
    if found is None:
        return None
    family, name_match = found
    name_groups = {key: value for key, value in name_match.groupdict().items() if value is not None}
    tag = ref.tag if ref.tag is not None or ref.digest is not None else "latest"
    tag_groups: dict[str, str] = {}
    if tag is None:  # pinned by digest alone: the tag is unknown
        variant_text = name_groups.get("variant")
    elif "$" in tag:
        variant_text = _variant_in_unresolved_tag(family, tag) or name_groups.get("variant")
    elif family.tag is None:
        variant_text = name_groups.get("variant", "")
    else:
        tag_match = family.tag.fullmatch(tag)
        tag_groups = {key: value for key, value in (tag_match.groupdict() if tag_match else {}).items() if value}
        variant_text = (tag_groups.get("variant") or name_groups.get("variant", "")) if tag_match else None
    version = name_groups.get("version") or tag_groups.get("version")
    tag_is_understood = tag is not None and "$" not in tag and variant_text is not None
    if version is None and tag_is_understood and family.variant_for(variant_text):
        version = family.implicit_version
    release = name_groups.get("release") or tag_groups.get("release")
    return _facts(family, version, variant_text, release)


def _variant_in_unresolved_tag(family: _Family, tag: str) -> str | None:
    """``${NODE_VERSION}-alpine${ALPINE}``: a literal ``-word`` between variables may still name the variant."""
    for piece in _VARIABLE.split(tag):
        word = piece.strip("-")
        if piece.startswith("-") and word and family.variant_for(word):
            return word
    return None


def _facts(family: _Family, version: str | None, variant_text: str | None, release: str | None) -> NodeImageFacts:
    facts = dict(family.facts)
    variant_name = None
    found = family.variant_for(variant_text) if variant_text is not None else None
    if found is not None:
        variant, match = found
        facts.update(variant.facts)
        variant_name = variant.name
        release = match.groupdict().get("release") or release
    else:  # an unknown variant: whatever a variant may change is unknown too
        for variant in family.variants:
            for key in variant.facts:
                facts.pop(key, None)
    return NodeImageFacts(
        family=family.id,
        contains_node=bool(facts.get("contains_node")),
        version=version,
        variant=variant_name,
        os_family=facts.get("os_family"),
        os_release=release,
        small=facts.get("small"),
        default_user=None if facts.get("default_user") is None else str(facts["default_user"]),
        has_shell=facts.get("has_shell"),
        init=facts.get("init"),
        package_manager=facts.get("package_manager"),
    )


def is_node_image(ref: ImageRef) -> bool:
    """A listed image that ships Node.js, or any repository whose last path part is ``node``/``nodejs``."""
    facts = describe_node_image(ref)
    if facts is not None:
        return facts.contains_node
    return ref.repository.rsplit("/", 1)[-1] in ("node", "nodejs")
