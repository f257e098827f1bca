"""What the name and tag of a well-known Node.js image say about it.

The facts live in ``data/base-images.yml`` (read from its generated JSON twin); this module only applies
its patterns.
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from nodeguard.model.reference import VARIABLE, ImageRef
from nodeguard.node.releases import codenames
from nodeguard.patterns import LazyPattern
from nodeguard.record import Record

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from typing import Any


class NodeImageFacts(Record):
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

    def __init__(
        self,
        family: str,
        contains_node: bool,
        version: str | None,
        variant: str | None,
        os_family: str | None,
        os_release: str | None,
        small: bool | None,
        default_user: str | None,
        has_shell: bool | None,
        init: bool | None,
        package_manager: str | None,
    ) -> None:
        self.__dict__.update(
            family=family,
            contains_node=contains_node,
            version=version,
            variant=variant,
            os_family=os_family,
            os_release=os_release,
            small=small,
            default_user=default_user,
            has_shell=has_shell,
            init=init,
            package_manager=package_manager,
        )

    @property
    def runs_as_root(self) -> bool | None:
        return None if self.default_user is None else self.default_user in ("root", "0")


_FACTS = ("contains_node", "default_user", "has_shell", "init", "os_family", "package_manager", "small")


class _Variant(Record):
    """A variant of an image family: the tag pattern that names it and the facts it sets."""

    match: LazyPattern
    name: str
    facts: dict[str, Any]

    def __init__(self, match: LazyPattern, name: str, facts: dict[str, Any]) -> None:
        self.__dict__.update(match=match, name=name, facts=facts)


class _Family(Record):
    """A family of well-known images (node, distroless, ...): name and tag patterns, facts, variants."""

    id: str
    name: LazyPattern
    tag: LazyPattern | None
    implicit_version: str | None
    facts: dict[str, Any]
    variants: tuple[_Variant, ...]

    def __init__(
        self,
        id: str,
        name: LazyPattern,
        tag: LazyPattern | None,
        implicit_version: str | None,
        facts: dict[str, Any],
        variants: tuple[_Variant, ...],
    ) -> None:
        self.__dict__.update(
            id=id,
            name=name,
            tag=tag,
            implicit_version=implicit_version,
            facts=facts,
            variants=variants,
        )

    def variant_for(self, text: str) -> tuple[_Variant, re.Match[str]] | None:
        for variant in self.variants:
            match = variant.match.fullmatch(text)
            if match:
                return variant, match
        return None


@functools.cache
def _families() -> tuple[_Family, ...]:
    """The families of base-images.yml; each pattern is compiled when an image is first tried against it."""
    text = (Path(__file__).parent / "data" / "base-images.json").read_text("utf-8")
    codename_alternatives = "|".join(sorted(codenames(), key=len, reverse=True))
    families = []
    for entry in json.loads(text)["families"]:
        tag = entry.get("tag")
        families.append(
            _Family(
                id=entry["id"],
                name=LazyPattern(entry["name"]),
                tag=LazyPattern(tag.replace("{codename}", codename_alternatives)) if tag else None,
                implicit_version=entry.get("implicit_version"),
                facts={key: entry[key] for key in _FACTS if key in entry},
                variants=tuple(
                    _Variant(
                        match=LazyPattern(variant["match"]),
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


@functools.lru_cache(maxsize=1024)  # every rule of practices 1, 4 and 5 asks about the same base images
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
    if version is None and tag_is_understood and variant_text is not None and family.variant_for(variant_text):
        version = family.implicit_version
    release = name_groups.get("release") or tag_groups.get("release")
    return _facts(family, version, variant_text, release)


def _variant_in_unresolved_tag(family: _Family, tag: str) -> str | None:
    """``${NODE_VERSION}-alpine${ALPINE}``: a literal ``-word`` between variables may still name the variant."""
    for piece in VARIABLE.split(tag):
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
