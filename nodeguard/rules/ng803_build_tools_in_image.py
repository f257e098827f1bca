"""Compilers and build tools installed in the shipped image.

## What it does
Reports a `RUN` of the final stage (or of a stage it is built `FROM`) that installs compilers or build
tools with `apk`, `apt-get`, `apt`, `yum`, `dnf` or `microdnf` and leaves them installed: `build-base`,
`build-essential`, `gcc`, `g++`, `clang`, `musl-dev`, `make`, `cmake`, `autoconf`, `python3`... A
`RUN` that removes them again before it ends is fine: `apk add --virtual .build-deps … && npm ci &&
apk del .build-deps`, or `apt-get purge -y build-essential python3` in the same `RUN`.

Python is not reported when the image also installs or runs a Python package installer (`py3-pip`,
`pip3 install awscli`, `uv`): then the image runs Python software and needs it. An image without
Node.js (no Node.js base image, no RUN that installs or runs Node.js or a package manager, a process
that is not Node.js), such as a Python application that only copies a frontend bundle from a Node.js
build stage, is not judged: its compilers are not node-gyp's.

## Why
node-gyp needs a compiler, `make` and Python to build native modules, and nothing of that is needed
to run them. Left in the image they add tens to hundreds of megabytes and a compiler toolchain an
attacker can use, and they are a steady source of CVE reports. A separate `RUN apt-get purge` later
does not help: the earlier layer still holds them.

## Example
```dockerfile
FROM node:22-alpine
WORKDIR /app
RUN apk add --no-cache python3 make g++
COPY package*.json ./
RUN npm ci --omit=dev
```
Use instead:
```dockerfile
FROM node:22-alpine AS build
WORKDIR /app
RUN apk add --no-cache python3 make g++
COPY package*.json ./
RUN npm ci --omit=dev

FROM node:22-alpine
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
```
or, in one stage, `RUN apk add --no-cache --virtual .build-deps python3 make g++ && npm ci --omit=dev
&& apk del .build-deps`.

## Fix
No automatic fix: move the install into a build stage, or remove the packages in the same `RUN`.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator

from nodeguard.findings import Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image
from nodeguard.node.packages import BUILD_TOOLS
from nodeguard.node.images import is_node_image
from nodeguard.node.programs import is_node_word
from nodeguard.node.runtime import image_runs_node
from nodeguard.node.system_packages import installs_node, installs_python_tools, package_command, packages_left_installed
from nodeguard.rules.base import Options, Problem, Rule, option

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from typing import Literal

    from nodeguard.model.shell import Command


class BuildToolsOptions(Options):
    """NG803's options."""

    categories: tuple[Literal["compiler", "build", "python", "vcs"], ...] = option(
        ("compiler", "build", "python"),
        "kinds of packages to report: compiler (gcc, build-base), build (make, cmake), "
        "python (python3, for node-gyp), vcs (git)",
    )


def build_tools(packages: Iterable[str], categories: Collection[str]) -> list[str]:
    return [name for name in packages if BUILD_TOOLS.get(name) in categories]


def check(image: Image, context: BuildContext, options: BuildToolsOptions) -> Iterator[Problem]:
    stage = image.final
    if stage is None:
        return
    runs = stage.steps_of("RUN")
    commands = [command for step in runs for command in step.commands]
    if not _ships_node(image, context, commands):
        return  # not a Node.js image (a Python app beside a frontend build stage): its compilers are not node-gyp's
    categories = set(options.categories)
    if installs_python_tools(commands):
        categories.discard("python")  # Python runs the image's Python tools
    for step in runs:
        found = build_tools(packages_left_installed(step.commands), categories)
        if found:
            names = ", ".join(f"`{name}`" for name in found)
            yield Problem(
                step.line,
                f"this RUN leaves build tools in the shipped image: {names}; build native modules in a build "
                f"stage and copy node_modules from it, or remove them in the same RUN "
                f"({_removal_example(step.commands, found)})",
                end_line=step.end_line,
            )


def _ships_node(image: Image, context: BuildContext, commands: list[Command]) -> bool:
    """The shipped image has Node.js: a Node.js base, a RUN that installs Node.js or runs it (or a
    package manager), or a container process that is Node.js."""
    if image.final is None:
        return False
    if is_node_image(image.final.root_base) or installs_node(commands):
        return True
    return any(is_node_word(command.program) for command in commands) or image_runs_node(image, context)


REMOVAL_EXAMPLES = {
    "apk": "`apk add --virtual .build-deps … && npm ci && apk del .build-deps`",
    "apt-get": "`apt-get install -y {names} && npm ci && apt-get purge -y --auto-remove {names}`",
    "apt": "`apt-get install -y {names} && npm ci && apt-get purge -y --auto-remove {names}`",
    "yum": "`yum install -y {names} && npm ci && yum remove -y {names}`",
    "dnf": "`dnf install -y {names} && npm ci && dnf remove -y {names}`",
    "microdnf": "`microdnf install -y {names} && npm ci && microdnf remove -y {names}`",
}


def _removal_example(commands: Iterable[Command], found: list[str]) -> str:
    """How to remove the tools in the same RUN, with the package manager that installed them."""
    manager = next((parsed.manager for parsed in map(package_command, commands)
                    if parsed is not None and parsed.action == "install" and set(found) & set(parsed.packages)),
                   "apk")
    return REMOVAL_EXAMPLES.get(manager, REMOVAL_EXAMPLES["apk"]).format(names=" ".join(found))


RULE = Rule(
    id="NG803",
    name="build-tools-in-image",
    section=8,
    severity=Severity.WARNING,
    summary="Compilers and build tools installed in the shipped image",
    check=check,
    doc=__doc__,
    options=BuildToolsOptions,
)
