"""Base images are pinned by digest (`@sha256:`), not only by tag.

## What it does
Checks the image of every `FROM` that names an external image (build stages too) and reports one
without an `@sha256:` digest. `FROM <stage>` references and `scratch` are not images; a reference that
still depends on an argument without a default is left to NG101.

## Why
A tag moves: `node:22-alpine` is rebuilt for every Node.js patch release and every Alpine fix, so the
same Dockerfile builds a different image next week, and a compromised or broken push reaches you
without a change on your side. A digest names exactly one image; keep the tag next to it so people
(and Dependabot or Renovate, which update both) can still read which version it is.

## Example
```dockerfile
FROM node:22-alpine
```
Use instead:
```dockerfile
FROM node:22-alpine@sha256:<digest>
```

An image used by several stages is reported once, at its first `FROM`: one digest fixes them all.

An image written through a build argument keeps it: the digest goes in the argument's default, which
then holds the whole tag (`ARG NODE_VERSION=22-alpine@sha256:<digest>` with `FROM node:${NODE_VERSION}`),
or, when the argument serves other images or steps too, in an argument of its own
(`ARG NODE_IMAGE=node:22-alpine@sha256:<digest>` with `FROM ${NODE_IMAGE}`). No fix is offered for it.
With `--resolve-digests` the image looked up is the one the arguments' defaults give, which the build
gets unless `--build-arg` overrides it, and the message says so; `nodeguard pin` says the same of the
line and leaves it. An argument without a default is left to NG101: the image is chosen at build time.

## Fix
With `--resolve-digests` (`nodeguard check`), `nodeguard pin`, and in the GitHub Action, nodeguard looks
the tag up in its registry and offers the exact line, the tag kept: `FROM node:22-alpine@sha256:<digest>`
(for a multi-platform image, the digest of its image index, which every platform resolves through).
The fix is safe: the build gets the very image the tag gives it today. It pins the first `FROM` of
the image; `nodeguard pin` pins every one. A file that ends its lines with CR only, or is not valid
UTF-8, gets the digest but no fix: neither `--fix` nor `nodeguard pin` rewrites a line of it. Moving a stale pin (below) is unsafe: it changes the image.
Where the registry cannot be reached, the message says why and keeps the manual way:
`docker buildx imagetools inspect node:22-alpine` (the `Digest:` line), appended to the tag. Let
Dependabot (`package-ecosystem: docker`) or Renovate keep it current.

## Stale pins
With `--check-digests` (on by default in the action), a `tag@sha256:` whose tag now points to another
digest (the base image was rebuilt, usually for security fixes) is reported at info level with the new
digest, as digest-update bots do.
"""
from collections.abc import Iterator, Mapping
from types import MappingProxyType

from nodeguard.findings import Applicability, Fix, Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image, Stage, stages_by_base
from nodeguard.pinning import (
    DigestLookup,
    argument_pin,
    default_note,
    external_stages,
    image_key,
    pinned_first_line,
)
from nodeguard.rules.base import Options, Problem, Rule, same_image_note


class DigestOptions(Options):
    """NG102's options: none a policy sets; the run hands in what the registry said of each image."""

    resolved_digests: Mapping[str, DigestLookup] = MappingProxyType({})  # image_key -> lookup


def check(image: Image, context: BuildContext, options: DigestOptions) -> Iterator[Problem]:
    """One finding per distinct unpinned image, at its first FROM (the other stages that use it are
    named); with the registry's answers, the pinned line as a fix. Stale pins, when looked up."""
    lookups = options.resolved_digests
    unpinned = []
    for stage in external_stages(image):
        ref = stage.base
        if ref.digest:
            lookup = lookups.get(image_key(ref)) if ref.tag else None
            if lookup is not None and lookup.digest and lookup.digest != ref.digest:
                yield _stale(stage, lookup.digest)
            continue
        unpinned.append(stage)
    suggested: set[str] = set()  # new argument names the messages suggest, one per image
    for first, *others in stages_by_base(unpinned):
        raw, instruction = first.base.raw, first.from_instruction
        also = same_image_note(others)
        lookup = lookups.get(image_key(first.base))
        pinned = pinned_first_line(first, lookup.digest) if lookup is not None and lookup.digest else None
        refused = image.parsed.not_rewritable
        if pinned is not None and lookup is not None and refused:
            yield Problem(
                instruction.start_line,
                f"`{raw}` is not pinned by digest, so each build may get a different image{also}; its tag "
                f"points to `{lookup.digest}` today: write `{raw}@{lookup.digest}` by hand (the file {refused}, "
                f"and neither `--fix` nor `nodeguard pin` rewrites a line of such a file)",
                end_line=instruction.end_line,
            )
            continue
        if pinned is not None and lookup is not None:
            yield Problem(
                instruction.start_line,
                f"`{raw}` is not pinned by digest, so each build may get a different image{also}; its tag "
                f"points to `{lookup.digest}` today: write `{raw}@{lookup.digest}` (`nodeguard pin` does)",
                end_line=instruction.end_line,
                # safe: the build gets the very image the tag gives it today
                fix=Fix(instruction.start_line, instruction.start_line, pinned, Applicability.SAFE),
            )
            continue
        known = lookup.digest if lookup is not None and lookup.digest else None
        in_argument = argument_pin(image, first, known or "sha256:<digest>", suggested)
        if in_argument is not None:
            # a FROM with the tag written out would drop the argument: the advice, never a fix
            where = "it is written through a build argument, so the digest goes in the argument, not in `FROM`"
            default = default_note(image, first)
            how = (f"its tag, with {default}, points to `{known}` today; {where}: write {in_argument}" if known else
                   f"{where}: find the digest of {default} with `docker buildx imagetools inspect {raw}` and "
                   f"write {in_argument}")
        else:
            how = (f"find the digest with `docker buildx imagetools inspect {raw}` and write "
                   f"`{raw}@sha256:<digest>`")
        why = f" ({lookup.problem})" if lookup is not None and lookup.problem else ""
        yield Problem(
            instruction.start_line,
            f"`{raw}` is not pinned by digest, so each build may get a different image{also}; {how}{why}",
            end_line=instruction.end_line,
        )


def _stale(stage: Stage, digest: str) -> Problem:
    ref, instruction = stage.base, stage.from_instruction
    pinned = pinned_first_line(stage, digest)
    return Problem(
        instruction.start_line,
        f"`{ref.name}:{ref.tag}` now points to `{digest}`, not to the pinned `{ref.digest}`: the base image "
        f"was rebuilt (often for security fixes); update the digest after checking the new image",
        end_line=instruction.end_line,
        fix=Fix(instruction.start_line, instruction.start_line, pinned) if pinned else None,
        severity=Severity.INFO,
    )


RULE = Rule(
    id="NG102",
    name="base-image-digest",
    section=1,
    severity=Severity.WARNING,
    strict_severity=Severity.ERROR,
    summary="Base image not pinned by `@sha256:` digest",
    check=check,
    doc=__doc__,
    options=DigestOptions,
)
