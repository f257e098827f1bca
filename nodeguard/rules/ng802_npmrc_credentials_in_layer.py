"""Registry credentials written to `.npmrc` or `.yarnrc(.yml)` in a layer of the shipped image.

## What it does
Reports a `RUN` of the final stage (or of a stage it is built `FROM`) that stores a registry token in
an npm or Yarn configuration file:

- `echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > .npmrc`, `printf … >> ~/.npmrc`, `… | tee .npmrc`
- `cat <<EOF > .npmrc` with an `_authToken` line in the here-document
- `npm config set //registry.npmjs.org/:_authToken …`, `npm config set _authToken …`, `pnpm config set …`
- `yarn config set npmAuthToken …`

It is reported even when the file is deleted later, in the same `RUN` or another one. Writing a
`${NPM_TOKEN}` reference that npm expands when it reads the file (`echo '…:_authToken=${NPM_TOKEN}' >
.npmrc`, single quotes) stores no token and is not reported; the one case left alone is a `RUN` that
takes the token from a secret mount and deletes the file before it ends.

## Why
A layer keeps every file it wrote: `RUN rm .npmrc` in a later step hides the file but the earlier
layer still holds it, and `docker save` or any registry pull hands it out. Deleting it in the same
`RUN` keeps it out of the layer, but the token came from a build argument, which `docker history`
shows on that very `RUN` (`RUN |1 NPM_TOKEN=npm_abc… /bin/sh -c echo …`).

## Example
```dockerfile
FROM node:22-alpine
ARG NPM_TOKEN
WORKDIR /app
COPY package*.json ./
RUN echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > .npmrc && npm ci --omit=dev
RUN rm -f .npmrc
```
Use instead:
```dockerfile
# syntax=docker/dockerfile:1
FROM node:22-alpine
WORKDIR /app
COPY package*.json ./
RUN --mount=type=secret,id=npmrc,target=/app/.npmrc npm ci --omit=dev
```
built with `docker build --secret id=npmrc,src=$HOME/.npmrc .`. The file is there while `npm ci` runs
and in no layer.

## Fix
No automatic fix: the build command changes too (`--secret`). Mount the `.npmrc` as a secret, or mount
the token (`--mount=type=secret,id=npm_token,env=NPM_TOKEN`) next to an `.npmrc` that says
`//registry.npmjs.org/:_authToken=${NPM_TOKEN}`. Or install in a build stage and copy `node_modules`.
"""
from collections.abc import Iterator

from nodeguard.findings import Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image
from nodeguard.node.credentials import credential_writes, mount_for_rc_file, token_arguments_written, uses_secret_mount
from nodeguard.rules.base import NoOptions, Problem, Rule


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterator[Problem]:
    stage = image.final
    if stage is None:
        return
    for step in stage.steps_of("RUN"):
        bodies = [(heredoc.body, not heredoc.quoted) for heredoc in step.instruction.heredocs]
        writes = credential_writes(step.commands, bodies)
        if not writes:
            continue
        write = writes[0]
        if write.removed_in_same_run and uses_secret_mount(step):
            continue
        if write.removed_in_same_run:
            what = (f"this RUN writes a registry token into {write.file} and deletes it before it ends, but without "
                    f"a secret mount the token reached the RUN through a build argument or the Dockerfile itself, "
                    f"and the shipped image's `docker history` shows it")
        else:
            what = (f"this RUN writes a registry token into {write.file}, which stays in this layer of the shipped "
                    f"image even if a later RUN deletes it")
        arguments = sorted(token_arguments_written(step))
        source = ""
        if arguments:
            source = (f" (the token comes from build argument `{arguments[0]}`, which the image history records "
                      f"as well; neither the ARG nor the install is reported again)")
        yield Problem(
            step.line,
            f"{what}{source}; mount it as a secret instead: {mount_for_rc_file(write.file, step.workdir)}",
            end_line=step.end_line,
        )


RULE = Rule(
    id="NG802",
    name="npmrc-credentials-in-layer",
    section=8,
    severity=Severity.ERROR,
    summary="Registry token written to .npmrc/.yarnrc in the shipped image",
    check=check,
    doc=__doc__,
)
