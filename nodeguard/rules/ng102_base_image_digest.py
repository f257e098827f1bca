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

## Fix
No automatic fix: the digest cannot be known offline. Look it up with
`docker buildx imagetools inspect node:22-alpine` (the `Digest:` line), or `docker pull node:22-alpine`
and `docker images --digests`, and append it to the tag. Let Dependabot (`package-ecosystem: docker`)
or Renovate keep it current.
"""
from nodeguard.findings import Severity
from nodeguard.rules.base import Problem, Rule


def check(image, context, options):
    """One finding per distinct image, at its first FROM; the other stages that use it are named."""
    uses: dict[str, list] = {}
    for stage in image.stages:
        ref = stage.base
        if stage.parent is not None or ref.is_scratch or ref.unresolved or not ref.repository or ref.digest:
            continue
        uses.setdefault(ref.raw, []).append(stage.from_instruction)
    for raw, instructions in uses.items():
        first, others = instructions[0], instructions[1:]
        also = ""
        if others:
            lines = ", ".join(str(instruction.start_line) for instruction in others)
            also = f" (the same image is the base on line{'s' if len(others) > 1 else ''} {lines} too)"
        yield Problem(
            first.start_line,
            f"`{raw}` is not pinned by digest, so each build may get a different image{also}; find the digest "
            f"with `docker buildx imagetools inspect {raw}` and write `{raw}@sha256:<digest>`",
            end_line=first.end_line,
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
)
