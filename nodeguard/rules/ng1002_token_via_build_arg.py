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
`ARG` itself in the shipped image.

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
```
with an `.npmrc` of `//registry.npmjs.org/:_authToken=${NPM_TOKEN}`.

Use instead:
```dockerfile
# syntax=docker/dockerfile:1
FROM node:22-alpine AS build
WORKDIR /app
COPY package*.json .npmrc ./
RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci
```
built with `docker build --secret id=npm_token,env=NPM_TOKEN .`.

## Fix
No automatic fix: the build command changes too (`--secret` instead of `--build-arg`).
"""
import posixpath

from nodeguard.findings import Severity
from nodeguard.model.ignore import clean_path
from nodeguard.node.credentials import (
    RC_FILES,
    TOKEN_VARIABLES_READ_DIRECTLY,
    credential_variables,
    credential_writes,
    referenced_variables,
    token_mount,
    uses_secret_mount,
    written_rc_file,
)
from nodeguard.node.packages import classify_install, is_secret_name
from nodeguard.rules.base import Problem, Rule
from nodeguard.model.copies import context_copy

INSTALL_KINDS = ("install", "ci")


def rc_files_before(stage, install_step, context) -> tuple[set[str], bool]:
    """Variables the rc files present before ``install_step`` take credentials from, and whether some
    copied rc file could not be read."""
    variables: set[str] = set()
    unreadable = False
    for step in stage.all_steps():
        if step is install_step:
            break
        copy = context_copy(step)
        if copy is not None:
            for source in copy.sources:
                if clean_path(source) == ".":
                    paths = list(RC_FILES)
                elif posixpath.basename(source.rstrip("/")) in RC_FILES:
                    paths = [clean_path(source)]
                else:
                    continue
                for path in paths:
                    text = context.read_text(path)
                    if text is None and clean_path(source) != ".":
                        unreadable = True
                    variables |= credential_variables(text or "")
        elif (step.keyword == "RUN" and any(written_rc_file(command) for command in step.commands)
              and not credential_writes(step.commands)):  # a file that keeps ``${NPM_TOKEN}`` for later
            variables |= credential_variables(step.instruction.args)
    return variables, unreadable


def read_directly(name: str, manager: str) -> bool:
    """True when the package manager reads this variable as a credential without any file."""
    upper = name.upper()
    return upper in TOKEN_VARIABLES_READ_DIRECTLY and (manager == "yarn" or not upper.startswith("YARN_"))


def token_arguments(stage, step, manager, context) -> list[str]:
    arguments = [name for name in step.args if name not in step.env]
    if not arguments:
        return []
    script = step.instruction.args + "".join(heredoc.body for heredoc in step.instruction.heredocs)
    referenced = referenced_variables(script)
    from_files, unreadable = rc_files_before(stage, step, context)
    found = []
    for name in arguments:
        if (read_directly(name, manager) or name in from_files
                or (is_secret_name(name) and (name in referenced or unreadable))):
            found.append(name)
    return found


def check(image, context, options):
    for stage in image.stages:
        for step in stage.steps:
            if step.keyword != "RUN" or uses_secret_mount(step.instruction.flags):
                continue
            installs = [(command, classify_install(command.argv)) for command in step.commands]
            install, kind = next(((command, kind) for command, kind in installs
                                  if kind is not None and kind.kind in INSTALL_KINDS), (None, None))
            if install is None:
                continue
            names = token_arguments(stage, step, kind.manager, context)
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
