"""devDependencies do not reach the shipped image.

## What it does
Follows `node_modules` through the final stage, its parent stages, and the stages it copies from,
and reports when devDependencies are still in it at the end:

- an install in the final stage's lineage (`npm ci`, `npm install`, `yarn install`, `pnpm install`,
  `bun install`) without `--omit=dev` / `--production` / `--prod` / `--only=production`, while
  `NODE_ENV` is not `production` (`ENV`, `ARG` or a `NODE_ENV=production npm ci` prefix all count);
- `node_modules` copied from another stage (`COPY --from=build /app/node_modules ...`, or the whole
  app folder `COPY --from=build /app /app`) where devDependencies were installed and not removed.

A later `npm prune --omit=dev` (or `--production`), `pnpm prune --prod`, `yarn workspaces focus
--production`, a production-only reinstall, or `rm -rf node_modules` clears them, so `npm ci`, `npm
run build`, `npm prune --omit=dev` is fine. Nothing is reported when the build context's package.json
has no devDependencies, nor for a development image: one whose process is a development server (`npm run
dev`, `nodemon`, `next dev`, `ng serve`, `vite`), which needs them.

## Why
devDependencies (test runners, bundlers, TypeScript, linters) are not needed to run the app. In the
image they add hundreds of megabytes and every vulnerability they carry, and give an attacker who gets
in more tools to use.

## Example
```dockerfile
FROM node:22-alpine AS build
WORKDIR /app
COPY . .
RUN npm ci && npm run build

FROM node:22-alpine
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
CMD ["node", "dist/server.js"]
```
Use instead:
```dockerfile
FROM node:22-alpine AS build
WORKDIR /app
COPY . .
RUN npm ci && npm run build && npm prune --omit=dev
```

## Fix
`--fix` adds `--omit=dev` to an `npm ci` in the final stage when nothing after it runs a build
script (which would need the devDependencies). Otherwise prune after the build, or install the
production dependencies in a stage of their own.

Applicability: **unsafe**. The app may load a devDependency at run time (a TypeScript runner, a
logger's pretty printer), which no Dockerfile shows.
"""
import posixpath
from collections.abc import Iterator

from nodeguard.findings import Fix, Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.copies import copy_at
from nodeguard.model.copies import absolute
from nodeguard.model.image import Image, Stage, Step
from nodeguard.model.shell import Command
from nodeguard.node.installs import InstallUse, edit_words, word_index
from nodeguard.node.manifest import has_dev_dependencies, read_package_json
from nodeguard.node.packages import BUILD_SCRIPT_PROGRAMS, PRODUCTION_INSTALL_ADVICE, classify_install
from nodeguard.node.runtime import runs_dev_server
from nodeguard.record import Record
from nodeguard.rules.base import NoOptions, Problem, Rule

_MAX_DEPTH = 8


class DevModules(Record):
    """devDependencies left in a stage's node_modules, and where they got in."""

    install: InstallUse  # the install that put them there
    modules_dir: str  # the node_modules folder (absolute) in the stage that holds them
    copy: Step | None  # the COPY --from that brought them into this stage, if they came that way

    def __init__(self, install: InstallUse, modules_dir: str, copy: Step | None = None) -> None:
        self.__dict__.update(install=install, modules_dir=modules_dir, copy=copy)


def _clears(command: Command, use: InstallUse | None) -> bool:
    if command.program == "rm" and any("node_modules" in word for word in command.argv[1:]):
        return True
    return use is not None and use.install.kind in ("install", "ci", "prune") and use.production_only()


def _covers(source: str, modules_dir: str) -> str | None:
    """The part of ``modules_dir`` a copied source path holds ("" for all of it), or None.

    A path inside a node_modules (``node_modules/.prisma``, a generated client) is one folder of it,
    not the dependency tree."""
    parts = source.split("/")
    if "node_modules" in parts[:-1]:
        return None
    if source == modules_dir or parts[-1] == "node_modules":
        return ""
    if source == "/" or modules_dir.startswith(source.rstrip("/") + "/"):
        return modules_dir[len(source.rstrip("/")) :]
    return None


def _copied_modules(image: Image, step: Step, depth: int) -> DevModules | None:
    copy = copy_at(image, step)
    source_stage = image.stage(copy.source_stage) if copy is not None and copy.source_stage else None
    if copy is None or source_stage is None or source_stage.index >= step.stage_index:
        return None
    found = dev_modules(image, source_stage, depth + 1)
    if found is None:
        return None
    destination = copy.target
    for source in copy.sources:
        below = _covers(absolute(source.rstrip("*").rstrip("/") or "/", "/"), found.modules_dir)
        if below is not None:
            return DevModules(found.install, posixpath.normpath(destination + below), step)
    return None


def dev_modules(image: Image, stage: Stage, depth: int = 0) -> DevModules | None:
    """devDependencies still installed at the end of ``stage`` (its lineage included); worked out once per
    stage and depth, however many copies read the stage."""
    if depth > _MAX_DEPTH:
        return None
    memo = image.derived.setdefault("dev_modules", {})
    key = (stage.index, depth)
    if key not in memo:
        memo[key] = _dev_modules(image, stage, depth)
    return memo[key]


def _dev_modules(image: Image, stage: Stage, depth: int) -> DevModules | None:
    state: DevModules | None = None
    for step in stage.all_steps():
        copied = _copied_modules(image, step, depth)
        if copied is not None:
            state = copied
        for command in step.commands:
            install = classify_install(command.argv)
            use = InstallUse(step, command, install) if install is not None else None
            if _clears(command, use):
                state = None
            elif use is not None and use.install.kind in ("install", "ci"):
                state = DevModules(use, posixpath.join(step.workdir, "node_modules"))
    return state


def _omit_dev_fix(stage: Stage, found: DevModules) -> Fix | None:
    use = found.install
    if found.copy is not None or use.manager != "npm" or use.install.kind != "ci" or use.install.production_only is False:
        return None
    steps = stage.all_steps()
    later_commands = [c for step in steps[steps.index(use.step) + 1 :] for c in step.commands]
    later_commands += list(use.step.commands[use.step.commands.index(use.command) + 1 :])
    if any(command.program in BUILD_SCRIPT_PROGRAMS and classify_install(command.argv) is None for command in later_commands):
        return None
    index = word_index(use, ("ci", "clean-install"))
    return None if index is None else edit_words(use, {index: f"{use.command.argv[index]} --omit=dev"})


def _message(found: DevModules, image: Image) -> str:
    use = found.install
    advice = PRODUCTION_INSTALL_ADVICE[use.manager]
    if found.copy is None:
        return f"`{use.text}` installs devDependencies into the shipped image (NODE_ENV is not production here); {advice}"
    source = image.stages[use.step.stage_index].label
    return (
        f"this COPY brings node_modules with devDependencies into the shipped image: `{use.text}` in stage "
        f"`{source}` (line {use.step.line}) installed them and they are never removed; in `{source}`, {advice}"
    )


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterator[Problem]:
    final = image.final
    if final is None or runs_dev_server(image, context):
        return
    package = read_package_json(context.read_text)
    if package is not None and not has_dev_dependencies(package) and "workspaces" not in package:
        return
    found = dev_modules(image, final)
    if found is None:
        return
    step = found.copy or found.install.step
    yield Problem(step.line, _message(found, image), end_line=step.end_line, fix=_omit_dev_fix(final, found))


RULE = Rule(
    id="NG202",
    name="dev-dependencies-in-image",
    section=2,
    severity=Severity.WARNING,
    strict_severity=Severity.ERROR,
    summary="devDependencies installed in, or copied into, the shipped image",
    check=check,
    doc=__doc__,
    fixable=True,
)
