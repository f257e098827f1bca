"""The shipped image builds on a small variant: slim, alpine or distroless, not a full OS image.

## What it does
Looks at the external image at the root of the final stage (through `FROM <stage>` parents) and
reports a well-known image in its full-OS variant when a smaller one exists: `node:22`,
`node:22-bookworm`, `node:lts`, `node:current`, Red Hat's `ubi9/nodejs-22` (there is `-minimal`), and
CI or dev-container images shipped as the runtime (`cimg/node`, `circleci/node`, `bitnami/node`,
`mcr.microsoft.com/devcontainers/javascript-node`). Build stages may use full images: compilers and
git belong there. `-slim`, `-alpine`, distroless and Chainguard images pass, and so do images and tags
nodeguard does not know (nothing can be said about them).

## Why
The full `node` image is Debian with buildpack-deps: compilers, git, ImageMagick headers, hundreds of
packages your app never runs, around a gigabyte, and hundreds of known CVEs to triage in every scan.
`-slim` is the same Debian with only what Node.js needs (apt still works), `-alpine` is smaller still,
and distroless has no shell or package manager at all.

## Example
```dockerfile
FROM node:22-bookworm
COPY --chown=node:node . /app
CMD ["node", "/app/server.js"]
```
Use instead:
```dockerfile
FROM node:22-bookworm-slim
COPY --chown=node:node . /app
CMD ["node", "/app/server.js"]
```

## Fix
For an official Debian-based `node` tag written out in the `FROM` (`22`, `22-bookworm`, `lts`,
`iron-bullseye`, `${NODE_VERSION}`...), `--fix` appends `-slim`: the same Debian release and apt, so
the rest of the Dockerfile keeps working. It does not when the reference carries a digest (the digest
would no longer match: look up the new one), when other stages build on the same `FROM` (they may
need the compilers: give the final stage its own `FROM`), or when the stage calls a program that only
the full image has (`curl`, `git`, `make`, `python3`...): install it, or move that step to a build stage.
The suggested distroless image is named only for a supported line; where the official image's tag list
is known (`--refresh-data`, the action's refresh, or a bundled copy refreshed with `make node-data`), a
`-slim` or `-alpine` that the line's newest release is not published in is neither suggested nor fixed
to. The `today` option (`"2026-11-26"`) fixes the day the release schedule is read for.

Applicability: **unsafe**. The slim image lacks libraries and tools of the full one that the app or a
native module may load at run time, which no Dockerfile shows.
"""
from __future__ import annotations

from collections.abc import Iterator

from nodeguard.findings import Fix, Severity
from nodeguard.fix_builders import UNSAFE, replace_word
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image, Stage, healthcheck_commands
from nodeguard.node.images import NodeImageFacts, describe_node_image
from nodeguard.node.support import day_of
from nodeguard.node.variants import FULL_IMAGE_ONLY_PROGRAMS, slim_published, slim_tag, smaller_variants
from nodeguard.rules.base import Problem, Rule, TodayOptions

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from datetime import date

    from nodeguard.model.reference import ImageRef


def shared_with_other_stages(image: Image, final: Stage, root: Stage) -> bool:
    shipped = {stage.index for stage in final.lineage()}
    return any(root in stage.lineage() for stage in image.stages if stage.index not in shipped)


def calls_full_image_programs(stage: Stage) -> bool:
    for step in stage.all_steps():
        commands = healthcheck_commands(step) if step.keyword == "HEALTHCHECK" else step.commands
        words = [command.program for command in commands]
        if any(word.rsplit("/", 1)[-1] in FULL_IMAGE_ONLY_PROGRAMS for word in words):
            return True
    return False


def slim_fix(image: Image, final: Stage, root: Stage, ref: ImageRef, facts: NodeImageFacts, today: date) -> Fix | None:
    written = root.written_base
    one_line = root.from_instruction.start_line == root.from_instruction.end_line
    if (facts.family != "node" or facts.variant != "full" or ref.digest or not written or not one_line
            or written.startswith("$") or "@" in written or slim_tag(ref.tag) is None
            or not slim_published(facts, today)
            or shared_with_other_stages(image, final, root) or calls_full_image_programs(final)):
        return None
    return replace_word(root.from_instruction, written, written + "-slim", UNSAFE)


def check(image: Image, context: BuildContext, options: TodayOptions) -> Iterator[Problem]:
    final = image.final
    if final is None:
        return
    root = final.lineage()[0]
    ref = root.base
    facts = None if ref.unresolved or ref.is_scratch else describe_node_image(ref)
    if facts is None or facts.small is not False:
        return
    today = day_of(options.today)
    fix = slim_fix(image, final, root, ref, facts, today)
    alternatives = smaller_variants(ref, facts, today)
    yield Problem(
        root.from_instruction.start_line,
        f"the shipped image builds on `{ref.raw}`, a full OS image with compilers and hundreds of packages "
        f"the app does not need; use {alternatives}",
        end_line=root.from_instruction.end_line,
        fix=fix,
    )


RULE = Rule(
    id="NG103",
    name="base-image-variant",
    section=1,
    severity=Severity.WARNING,
    summary="Full OS base image in the shipped stage where a slim, alpine or distroless one exists",
    check=check,
    doc=__doc__,
    options=TodayOptions,
    fixable=True,
)
