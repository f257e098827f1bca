"""A package install that reads its registry token from a build argument.

## What it does
Reports an `npm`, `yarn`, `pnpm` or `bun` install (`npm ci`, `npm install`, `yarn install`, `pnpm
install`...) in any stage that gets its registry token from an `ARG` of that stage:

- the `RUN` refers to a secret-looking build argument: `echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN"
  > .npmrc && npm ci`, `NPM_TOKEN=$NPM_TOKEN npm ci`;
- an `.npmrc` or `.yarnrc.yml` the stage copied (or wrote in an earlier `RUN`) refers to the argument
  (`_authToken=${NPM_TOKEN}`), or, when the copied file cannot be read, a secret-looking argument is in
  force;
- the argument is one the package manager reads by itself (`NPM_CONFIG__AUTH`, `YARN_NPM_AUTH_TOKEN`).

A `RUN` that already uses a secret mount is left alone. This rule is about where the token comes
from; NG802 is about a token written to a file in a layer of the shipped image, and NG801 about the
`ARG` itself in the shipped image. One token is one finding: in the shipped image, a token written to
a file is NG802's and a secret-looking `ARG` is NG801's (both errors, and their messages name this
install), so this rule reports only what they do not.

## Why
Build-argument values are recorded in the image history of every `RUN` after the `ARG` (`docker
history` shows `RUN |1 NPM_TOKEN=npm_abc…`) and in the build cache. In a build stage they do not reach
the final image's history, but they still reach the builder's cache, cache exports and the history of
the stage's own image, and `--build-arg` puts them in your shell history and CI logs. A secret mount is
made for exactly this and leaves no trace.

## Example
```dockerfile
FROM node:22-alpine AS build
ARG NPM_TOKEN
WORKDIR /app
COPY package*.json .npmrc ./
RUN npm ci

FROM node:22-alpine
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
```
with an `.npmrc` of `//registry.npmjs.org/:_authToken=${NPM_TOKEN}`. (Were the build stage the final
one, NG801 would report its `ARG` instead.)

Use instead:
```dockerfile
# syntax=docker/dockerfile:1
FROM node:22-alpine AS build
WORKDIR /app
COPY package*.json .npmrc ./
RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci

FROM node:22-alpine
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
```
built with `docker build --secret id=npm_token,env=NPM_TOKEN .`.

## Fix
No automatic fix: the build command changes too (`--secret` instead of `--build-arg`).
"""
from collections.abc import Iterator

from nodeguard.findings import Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image
from nodeguard.node.credentials import (
    install_token_arguments,
    token_arguments_written,
    token_mount,
    uses_secret_mount,
)
from nodeguard.node.packages import classify_install, is_secret_name
from nodeguard.rules.base import NoOptions, Problem, Rule

INSTALL_KINDS = ("install", "ci")


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterator[Problem]:
    shipped = {member.index for member in image.final.lineage()} if image.final is not None else set()
    for stage in image.stages:
        for step in stage.steps:
            if step.keyword != "RUN" or uses_secret_mount(step):
                continue
            installs = [(command, classify_install(command.argv)) for command in step.commands]
            install, kind = next(((command, kind) for command, kind in installs
                                  if kind is not None and kind.kind in INSTALL_KINDS), (None, None))
            if install is None or kind is None:
                continue
            names = install_token_arguments(stage, step, kind.manager, context)
            if shipped and stage.index in shipped:
                # the token's own finding tells the whole story: NG802 for a token written to a file,
                # else NG801 for the secret-looking ARG of the shipped image (both errors)
                written = token_arguments_written(step)
                names = [name for name in names if name not in written and not is_secret_name(name)]
            if not names:
                continue
            name = names[0]
            command = " ".join(install.argv)
            yield Problem(
                step.line,
                f"`{command}` reads its registry token from build argument `{name}`, whose value is kept in the "
                f"build history and cache (`docker history` shows it on this RUN); pass it as a secret instead: "
                f"{token_mount(name, command)} with `docker build --secret id={name.lower()},env={name}`",
                end_line=step.end_line,
            )


RULE = Rule(
    id="NG1002",
    name="token-via-build-arg",
    section=10,
    severity=Severity.WARNING,
    summary="Install reads its registry token from a build argument",
    check=check,
    doc=__doc__,
)
