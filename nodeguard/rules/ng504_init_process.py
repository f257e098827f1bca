"""Node.js does not run as PID 1 without an init (dumb-init, tini, docker-init, catatonit, s6's /init).

## What it does
Reports a final `CMD`/`ENTRYPOINT` that starts Node.js (`node`, `ts-node`, `tsx`, a package manager,
or a `.js` file passed to the image's entrypoint) as the container's first process with no init in
front of it, also through `gosu`/`su-exec`, an entrypoint script that ends in `exec "$@"` (read
from the build context; the node image's own `docker-entrypoint.sh` does that), or a script or
`sh -c` whose last command is `exec node ...` (`cd /app && exec node server.js`). Where a shell starts
the app without `exec` (`CMD node server.js`), the message names that shell as PID 1, as NG501 and
NG503 do.
`pm2-runtime` (made to replace `node` in `CMD`) is reported too: it stops its apps on SIGTERM and
SIGINT, and the message says so, but as PID 1 it does not reap orphaned processes.
`ENTRYPOINT ["/sbin/tini", "--"]` with `CMD ["node", "server.js"]` counts as an init, as does a base
image whose entrypoint is one. When the image installs an init (`apk add dumb-init`,
`apt-get install tini`) but does not start the app through it, the message says so.

Set `init-provided: true` when every container of the image gets an init from outside (`docker run
--init`, `init: true` in Compose, ECS `initProcessEnabled`): the rule then reports nothing.

## Why
The kernel treats PID 1 specially: a signal it has no handler for does nothing, so a Node.js app
without its own `SIGTERM`/`SIGINT` handlers ignores `docker stop` and Ctrl-C, and is killed only
after the grace period. PID 1 must also reap orphaned child processes, which Node.js does not do. A
tiny init runs as PID 1, forwards signals to the app and reaps zombies.

## Example
```dockerfile
FROM node:22-alpine
RUN apk add --no-cache dumb-init
CMD ["node", "server.js"]
```
Use instead:
```dockerfile
FROM node:22-alpine
RUN apk add --no-cache dumb-init
CMD ["dumb-init", "node", "server.js"]
```

## Fix
When the final stage's lineage installs dumb-init or tini with the system package manager, `--fix`
puts it in front of the exec-form `ENTRYPOINT` (or `CMD` when there is no `ENTRYPOINT`):
`["dumb-init", ...]` or `["tini", "--", ...]`. Installing a package is not done automatically.
An image without a package manager (distroless, Chainguard's runtime image) cannot install one: copy
a static tini from a build stage (`COPY --from=build /usr/bin/tini-static /tini`), or let the runtime
add an init (`docker run --init`, Compose `init: true`) and set `init-provided: true`.

Applicability: **safe**: the init is installed in the image, starts the same command, and only
forwards signals and reaps zombies.
"""
from __future__ import annotations

import json
from collections.abc import Iterator

from nodeguard.findings import Fix, Severity
from nodeguard.fix_builders import SAFE, exec_form_line, replace_instruction
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image, Stage, Step
from nodeguard.node.images import NodeImageFacts, describe_node_image
from nodeguard.node.programs import INIT_PREFIXES, SIGNAL_HANDLING_RUNNERS
from nodeguard.node.runtime import container_process
from nodeguard.node.system_packages import package_command
from nodeguard.rules.base import Options, Problem, Rule, option

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from nodeguard.model.process import Process
    from nodeguard.model.reference import ImageRef


def installed_inits(stage: Stage) -> list[tuple[str, Step]]:
    """(init name, step) for every dumb-init/tini the stage's lineage installs with apk/apt/yum/dnf."""
    found: list[tuple[str, Step]] = []
    for step in stage.all_steps():
        for command in step.commands:
            parsed = package_command(command)
            if parsed is not None and parsed.action == "install":
                found.extend((name, step) for name in parsed.packages if name in INIT_PREFIXES)
    return found


def _fix(process: Process, init: str) -> Fix | None:
    instruction = process.entrypoint or process.cmd
    if instruction is None or instruction.json_args is None:
        return None
    words = [*INIT_PREFIXES[init], *instruction.json_args]
    return replace_instruction(instruction, exec_form_line(instruction, words), SAFE)


class InitOptions(Options):
    """NG504's options."""

    init_provided: bool = option(
        False, "Containers always get an init from outside (docker run --init, Compose init: true): never report.")


def check(image: Image, context: BuildContext, options: InitOptions) -> Iterator[Problem]:
    if options.init_provided:
        return
    running = container_process(image, context)
    final = image.final
    if running is None or not running.node_without_init or final is None:
        return
    facts = describe_node_image(final.root_base)
    if facts is not None and facts.init:
        return
    process = running.process
    shown = " ".join(running.launched)
    script = running.handed_over_by
    if script:
        through = f" (`{script}` hands it over with `exec \"$@\"`)"
    elif running.started_by:
        through = f" (`{running.started_by}` starts it with `exec`)"
    else:
        through = ""
    shell = running.kept_shell
    inits = installed_inits(final)
    anchor = process.anchor
    if inits:
        init, step = inits[0]
        fix = None if shell else _fix(process, init)  # NG501/NG503 take the shell out first; the next round adds the init
        example = fix.replacement if fix else f"{json.dumps([*INIT_PREFIXES[init], *running.launched])}"
        pid_1 = f"`{shell}` is PID 1 and starts `{shown}`" if shell else f"`{shown}` runs as PID 1{through}"
        message = f"{init} is installed (line {step.line}) but not used as the entrypoint: {pid_1}; start it through {init}: {example}"
    elif shell:
        fix = None  # NG501/NG503 report the shell and fix it first
        message = (
            f"no init runs as PID 1: `{shell}` is PID 1 and starts `{shown}` without `exec`, so SIGTERM does not reach "
            f"the app and zombie processes are never reaped; {_init_advice(final.root_base, facts)}"
        )
    else:
        fix = None
        if running.launched[0].rsplit("/", 1)[-1] in SIGNAL_HANDLING_RUNNERS:
            harm = (": it stops its apps on SIGTERM and SIGINT itself, but as PID 1 it never reaps the zombie processes "
                    "their orphaned children leave")
        else:
            harm = ", so it ignores signals it has no handler for and never reaps zombie processes"
        message = f"`{shown}` runs as PID 1 without an init{through}{harm}; {_init_advice(final.root_base, facts)}"
    yield Problem(anchor.start_line, message, end_line=anchor.end_line, fix=fix)


def _init_advice(base: ImageRef, facts: NodeImageFacts | None) -> str:
    """How to get an init: install one, or, in an image without a package manager, copy one in or let the runtime add it."""
    if facts is not None and facts.variant is not None and facts.package_manager is None:
        return (
            f"`{base.raw}` has no package manager to install one: copy a static tini from a build stage "
            f"(`RUN apt-get install -y tini` there, then `COPY --from=<stage> /usr/bin/tini-static /tini` and "
            f"`ENTRYPOINT [\"/tini\", \"--\", ...]`), or run the container with an init (`docker run --init`, "
            f"Compose `init: true`) and set `init-provided: true`"
        )
    return ("install dumb-init or tini and start the app through it (or set `init-provided: true` "
            "when `docker run --init` or the platform provides one)")


RULE = Rule(
    id="NG504",
    name="init-process",
    section=5,
    severity=Severity.WARNING,
    summary="Node.js runs as PID 1 without an init such as dumb-init or tini",
    check=check,
    doc=__doc__,
    options=InitOptions,
    fixable=True,
)
