"""Pinning base images by digest: which `FROM` images a registry lookup is for, and how a `FROM` line
reads once pinned. Nothing here goes to the network: the lookups are made at the edge
(``nodeguard.remote.registry``) and handed in as a table from image to digest.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from nodeguard.patterns import LazyPattern
from nodeguard.record import Record, replace

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from nodeguard.model.image import Image, Stage
    from nodeguard.model.reference import ImageRef
    from nodeguard.policy import Policy

DIGEST = LazyPattern(r"sha256:[0-9a-f]{64}")
PLAIN_VARIABLE = LazyPattern(r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))")
LOOKUPS_OPTION = "resolved_digests"  # NG102's option that carries the table; nodeguard sets it, never a policy
DIGEST_RULE = "NG102"


class DigestLookup(Record):
    """What the registry said about one image's tag: its digest, or why there is none."""

    image: str  # as looked up: "docker.io/library/node:24-alpine"
    digest: str | None
    problem: str | None  # "could not reach registry-1.docker.io: ..."
    requests: int  # HTTP requests the lookup took (0: answered from this run's earlier lookups)

    def __init__(self, image: str, digest: str | None, problem: str | None = None, requests: int = 0) -> None:
        self.__dict__.update(image=image, digest=digest, problem=problem, requests=requests)


def image_key(ref: ImageRef) -> str:
    """The table's key for a reference: registry, repository and tag (``latest`` when none is written)."""
    return f"{ref.registry}/{ref.repository}:{ref.tag or 'latest'}"


def external_stages(image: Image) -> list[Stage]:
    """Stages whose `FROM` names an image from a registry (not a stage, not scratch, no unset argument)."""
    return [
        stage
        for stage in image.stages
        if stage.parent is None and not stage.base.is_scratch and not stage.base.unresolved and stage.base.repository
    ]


def refs_to_look_up(image: Image, *, unpinned: bool, pinned: bool) -> list[ImageRef]:
    """The references a run looks up: unpinned ones (to pin them), pinned ones with a tag (to see the tag
    still points to the same digest)."""
    refs = []
    for stage in external_stages(image):
        ref = stage.base
        if (unpinned and not ref.digest) or (pinned and ref.digest and ref.tag):
            refs.append(ref)
    return refs


def written_image_word(stage: Stage) -> str | None:
    """The image word exactly as the `FROM` line writes it, when it can be rewritten in place: written
    literally (no build argument) on the instruction's first line, once."""
    word = stage.written_base
    if not word or word != stage.base.raw:
        return None
    first_line = stage.from_instruction.original.split("\n", 1)[0]
    if len(re.findall(rf"(?<!\S){re.escape(word)}(?!\S)", first_line)) != 1:
        return None
    return word


def pinned_first_line(stage: Stage, digest: str) -> str | None:
    """The `FROM` instruction's first line with the image pinned to ``digest``, the tag kept
    (``FROM node:24-alpine@sha256:...``); a digest already written is replaced. None when the line
    cannot be rewritten safely."""
    word = written_image_word(stage)
    if word is None or not DIGEST.fullmatch(digest):
        return None
    name = word.partition("@")[0]
    first_line = stage.from_instruction.original.split("\n", 1)[0]
    return re.sub(rf"(?<!\S){re.escape(word)}(?!\S)", lambda _: f"{name}@{digest}", first_line, count=1)


def argument_pin(image: Image, stage: Stage, digest: str, taken: set[str] | None = None) -> str | None:
    """Where ``digest`` goes when the `FROM` image is written through build arguments: in the default of
    the argument that holds the whole tag or image (``ARG V=22-alpine@sha256:...``, and ``FROM node:${V}``
    when the argument held only part of the tag), or, when the argument serves more than this image, in
    an argument of its own (``ARG NODE_IMAGE=node:22-alpine@sha256:...`` with ``FROM ${NODE_IMAGE}``).
    None when the image is written literally: then the `FROM` line itself takes the digest. ``taken``: the
    argument names already suggested for other images of the file; the one suggested here is added."""
    from nodeguard.model.image import variable_names

    written, ref = stage.written_base, stage.base
    names = set(variable_names(written))
    if not names:
        return None
    pinned = f"{ref.raw}@{digest}"
    name = names.pop() if len(names) == 1 else None
    if name is not None and image.global_args.get(name) and not _serves_more(image, name, ref.raw):
        if PLAIN_VARIABLE.fullmatch(written):
            return f"`ARG {name}={pinned}`"
        prefix = written[: written.index("$")]
        tag_part = written[len(prefix):]
        if prefix.endswith(":") and ref.tag and len(PLAIN_VARIABLE.findall(tag_part)) == tag_part.count("$"):
            advice = f"`ARG {name}={ref.tag}@{digest}`"
            return advice if PLAIN_VARIABLE.fullmatch(tag_part) else f"{advice} with `FROM {prefix}${{{name}}}`"
    own = _own_argument(image, stage, taken if taken is not None else set())
    return f"`ARG {own}={pinned}` with `FROM ${{{own}}}`"


def default_note(image: Image, stage: Stage) -> str:
    """What a lookup of an image written through build arguments is of: ```BASE``'s default (the image
    the build gets unless `--build-arg BASE=...` overrides it)``; empty for an image written literally."""
    from nodeguard.model.image import variable_names

    names = list(dict.fromkeys(variable_names(stage.written_base)))
    if not names:
        return ""
    declared = [name for name in names if image.global_args.get(name)] or names
    whose = (f"`{declared[0]}`'s default" if len(declared) == 1 else
             "the defaults of " + ", ".join(f"`{name}`" for name in declared[:-1]) + f" and `{declared[-1]}`")
    return f"{whose} (the image the build gets unless `--build-arg {declared[0]}=...` overrides it)"


def unset_arguments(image: Image, stage: Stage) -> list[str]:
    """The build arguments of a `FROM` image that have no default, in order."""
    from nodeguard.model.image import variable_names

    return [name for name in dict.fromkeys(variable_names(stage.written_base)) if not image.global_args.get(name)]


def _own_argument(image: Image, stage: Stage, taken: set[str]) -> str:
    """A new argument's name for the image: from the last part of its name written literally
    (``node`` -> ``NODE_IMAGE``), else its stage's name, else numbered; none the file declares."""
    segments = stage.written_base.partition("@")[0].split("/")
    segments[-1] = segments[-1].partition(":")[0]
    literal = next((part for part in reversed(segments) if part and "$" not in part), "base")
    names = [literal, *([stage.name] if stage.name else [])]
    words = [re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper() or "BASE" for name in names]
    numbered = [f"{words[0]}_IMAGE_{n}" for n in range(2, len(image.stages) + 2)]
    candidates = [f"{word}_IMAGE" for word in words] + numbered
    own = next(name for name in candidates if name not in taken and name not in image.global_args)
    taken.add(own)
    return own


def _serves_more(image: Image, name: str, raw: str) -> bool:
    """Whether build argument ``name`` is used beyond `FROM` lines of the image ``raw``: by another
    image's `FROM`, or declared again in a stage (where its value reaches the steps)."""
    from nodeguard.model.image import variable_names

    for stage in image.stages:
        if name in variable_names(stage.written_base) and stage.base.raw != raw:
            return True
        if any(name in step.args for step in stage.steps):
            return True
    return False


def policy_with_lookups(policy: Policy, lookups: Mapping[str, DigestLookup]) -> Policy:
    """``policy`` with the lookups handed to NG102 in every place its setting is made (overrides too)."""
    from nodeguard.policy import Override

    def with_table(settings):
        setting = settings.get(DIGEST_RULE)
        if setting is None:
            return settings
        return {**settings, DIGEST_RULE: replace(setting, options={**setting.options, LOOKUPS_OPTION: lookups})}

    overrides = tuple(Override(o.files, with_table(o.rules)) for o in policy.overrides)
    return replace(policy, rules=with_table(policy.rules), overrides=overrides)


def lookups_needed(images: Iterable[Image], *, unpinned: bool, pinned: bool) -> dict[str, ImageRef]:
    """One reference per image key across all the Dockerfiles of a run: each image is looked up once."""
    wanted: dict[str, ImageRef] = {}
    for image in images:
        for ref in refs_to_look_up(image, unpinned=unpinned, pinned=pinned):
            wanted.setdefault(image_key(ref), ref)
    return wanted
