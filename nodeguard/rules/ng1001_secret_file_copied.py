"""`COPY`/`ADD` of an `.npmrc`, `.yarnrc` or `.yarnrc.yml` with a registry token into an image.

## What it does
Reports a `COPY` or `ADD` from the build context, in any stage, that copies an `.npmrc`, `.yarnrc` or
`.yarnrc.yml`, on its own or among other sources (`COPY package.json .npmrc ./`). When the context is
on disk the file is read: it is reported (error) when it stores a token itself (`_authToken=npm_…`,
`_auth=`, `_password=`, `npmAuthToken: …`); a file that only refers to a variable
(`_authToken=${NPM_TOKEN}`) or has no credentials at all (`legacy-peer-deps=true`) is fine. When the
file cannot be read (only the Dockerfile is known) the copy is reported once as info. A `COPY . .` that
sweeps an `.npmrc` along is NG904's.

## Why
The copied file is in a layer of that stage for good, and in the build cache; in the final stage
anyone who pulls the image can read the token. Even in a build stage it reaches the builder, its
cache and any cache export. A secret mount makes the file exist only while the install runs.

## Example
```dockerfile
FROM node:22-alpine
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev
```
Use instead:
```dockerfile
# syntax=docker/dockerfile:1
FROM node:22-alpine
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npmrc,target=/app/.npmrc npm ci --omit=dev
```
built with `docker build --secret id=npmrc,src=.npmrc .`, and `.npmrc` in `.dockerignore`.

## Fix
No automatic fix: the build command changes too (`--secret`).
"""
import fnmatch
import posixpath
from collections.abc import Iterator

from nodeguard.findings import Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.copies import ContextCopy, context_copies
from nodeguard.model.ignore import clean_path
from nodeguard.model.image import Image
from nodeguard.node.credentials import RC_FILES, holds_literal_credential, mount_for_rc_file
from nodeguard.rules.base import NoOptions, Problem, Rule


def copied_rc_files(copy: ContextCopy) -> list[tuple[str, str]]:
    """(source as written, rc file name) for each npm/Yarn configuration file the copy takes."""
    found = []
    for source in copy.sources:
        base = posixpath.basename(source.rstrip("/"))
        name = next((rc for rc in RC_FILES if fnmatch.fnmatchcase(rc, base)), None)
        if name is None and len(copy.sources) == 1 and posixpath.basename(copy.destination) in RC_FILES:
            name = posixpath.basename(copy.destination)  # COPY .npmrc-ci .npmrc
        if name is not None:
            found.append((source, name))
    return found


def file_text(context: BuildContext, source: str, name: str) -> str | None:
    path = clean_path(source)
    if any(char in path for char in "*?["):
        path = posixpath.join(posixpath.dirname(path), name)
    return context.read_text(path)


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterator[Problem]:
    for copy in context_copies(image):
        for source, name in copied_rc_files(copy):
            text = file_text(context, source, name)
            if text is not None and not holds_literal_credential(text):
                continue
            step = copy.step
            how = f"{step.keyword} of `{source}`"
            if text is None:
                message = (f"{how} puts that {name} into a layer; if it holds a registry token, use a secret "
                           f"mount for the install instead: {mount_for_rc_file(name, step.workdir)}")
                yield Problem(step.line, message, end_line=step.end_line, severity=Severity.INFO)
            else:
                message = (f"{how} copies a registry token into a layer, where it stays even if deleted later; "
                           f"use a secret mount for the install instead: {mount_for_rc_file(name, step.workdir)}")
                yield Problem(step.line, message, end_line=step.end_line)


RULE = Rule(
    id="NG1001",
    name="secret-file-copied",
    section=10,
    severity=Severity.ERROR,
    summary="COPY/ADD of an .npmrc or .yarnrc.yml with a token",
    check=check,
    doc=__doc__,
)
