"""No shell stands between the container and the app: no `sh -c`, and entrypoint scripts end with `exec`.

## What it does
Looks at the final exec-form `CMD`/`ENTRYPOINT` (shell forms are NG501's) and reports:

- a shell as the process: `CMD ["sh", "-c", "node server.js"]`, `["/bin/bash", "-c", ...]`, also
  behind an init, unless the script hands over with `exec` (`sh -c "exec node server.js"`);
- a shell script as the process (`CMD ["./start.sh"]`, `ENTRYPOINT ["/docker-entrypoint.sh"]`) that
  never uses `exec` to start the app. The script is read from the build context when it is on disk
  and a `COPY` shows where it came from (`exec "$@"`, `exec node server.js`, `exec su-exec node ...` all
  count). A script that cannot be read is mentioned once as info; the official node image's own
  `docker-entrypoint.sh`, which ends with `exec "$@"`, is fine;
- a shell given a script file as the process (`CMD ["bash", "./start.sh"]`) when the script, read from
  the build context, starts the app without `exec`.

## Why
A shell that runs the app as a child is the process that gets `SIGTERM` from `docker stop` or
Kubernetes, and `/bin/sh` neither forwards it nor exits on it as PID 1. The app is killed with
`SIGKILL` at the end of the grace period, without closing its connections. `exec` replaces the shell
with the app, so the app gets the signal.

## Example
```dockerfile
CMD ["sh", "-c", "node server.js"]
```
```sh
#!/bin/sh
npm run migrate
node server.js
```
Use instead:
```dockerfile
CMD ["node", "server.js"]
```
```sh
#!/bin/sh
npm run migrate
exec node server.js
```

## Fix
`--fix` rewrites `["sh", "-c", "node server.js"]` to `["node", "server.js"]` when the script is one
plain command (no operators, quotes or variables), keeping an init in front; a single command that
needs the shell for variables or redirections gets `exec` in front of it inside the script. Chained
commands and a script file need `exec` added by hand.

Applicability: **safe** in a `CMD`; **unsafe** in an `ENTRYPOINT`, where the exec form appends `CMD`
and `docker run` arguments to the command that `sh -c` received as `$0`, `$1`, ….
"""
from __future__ import annotations

import json
import posixpath
from collections.abc import Iterator

from nodeguard.findings import Severity
from nodeguard.fix_builders import SAFE, UNSAFE, exec_form_line, read_shell_command, replace_instruction
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image
from nodeguard.model.process import (
    hands_over,
    instruction_words,
    plain_words,
    shell_argv,
    shell_c_script,
    shell_script_argument,
)
from nodeguard.node.programs import NODE_IMAGE_ENTRYPOINT, is_shell, strip_init
from nodeguard.node.runtime import Script, container_process
from nodeguard.rules.base import NoOptions, Problem, Rule

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from nodeguard.model.instructions import Instruction


def _inline_shell(instruction: Instruction, command: tuple[str, ...], script: str) -> Problem | None:
    if hands_over(script):
        return None
    words = plain_words(script)
    fix = None
    own = list(instruction.json_args or ())
    single = read_shell_command(script)
    if words is None and len(command) != 3:
        single = None  # `sh -c script name args`: the words after the script are its $0, $1, …
    if single is not None and own[-len(command) :] == list(command) and len(own) >= len(command):
        prefix = own[: len(own) - len(command)]
        argv = list(words) if words is not None else [*command[:2], f"exec {single.text}"]
        # An exec-form ENTRYPOINT gets CMD and `docker run` arguments: `sh -c` took them as $0, $1, …
        applicability = SAFE if instruction.keyword == "CMD" else UNSAFE
        fix = replace_instruction(instruction, exec_form_line(instruction, prefix + argv), applicability)
    shell = " ".join(posixpath.basename(word) for word in command[: len(command) - len(shell_argv(command)) + 1])
    advice = f"use {json.dumps(words)}" if words else "put `exec` before the command that starts the app"
    return Problem(
        instruction.start_line,
        f"`{shell} -c` runs as the container's process and does not pass SIGTERM on to `{script.strip()}`; {advice}",
        end_line=instruction.end_line,
        fix=fix,
    )


def _script_file(instruction: Instruction, script: Script) -> Problem | None:
    program = script.program
    if script.text is None:
        if not program.endswith(".sh") or posixpath.basename(program) == NODE_IMAGE_ENTRYPOINT:
            return None
        return Problem(
            instruction.start_line,
            f"`{program}` is a shell script nodeguard cannot read; make sure it starts the app with `exec` so the app gets SIGTERM",
            end_line=instruction.end_line,
            severity=Severity.INFO,
        )
    if not script.is_shell_script or script.hands_over:
        return None
    return Problem(
        instruction.start_line,
        f"`{program}` runs as the container's process and starts the app without `exec`, so the shell keeps "
        f"SIGTERM from it; start the app with `exec node ...` (or end with `exec \"$@\"`)",
        end_line=instruction.end_line,
    )


def _shell_with_script(instruction: Instruction, command: tuple[str, ...], script: Script) -> Problem | None:
    """``["bash", "./start.sh"]``: the shell is PID 1; without ``exec`` in the script the app is its child."""
    if script.text is None or script.hands_over:
        return None
    shown = " ".join(command[:2]) if command[1] == script.program else f"{command[0]} ... {script.program}"
    return Problem(
        instruction.start_line,
        f"`{shown}` runs as the container's process and `{script.program}` starts the app without `exec`, so "
        f"SIGTERM never reaches it; start the app with `exec node ...` in the script",
        end_line=instruction.end_line,
    )


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterator[Problem]:
    running = container_process(image, context)
    if running is None:
        return
    process = running.process
    entrypoint = process.entrypoint
    from_entrypoint = entrypoint is not None and bool(strip_init(instruction_words(entrypoint)))
    instruction = entrypoint if from_entrypoint else process.cmd
    if instruction is None or not instruction.is_exec_form:
        return
    command = running.command
    if not command:
        return
    script = running.script
    problem = None
    if is_shell(command[0]):
        inline = shell_c_script(command)
        if inline is not None:
            problem = _inline_shell(instruction, command, inline)
        elif script is not None and script.program == shell_script_argument(command):
            problem = _shell_with_script(instruction, command, script)
    elif script is not None and script.program == command[0]:
        problem = _script_file(instruction, script)
    elif command[0].endswith(".sh"):
        problem = _script_file(instruction, Script(command[0]))
    if problem is not None:
        yield problem


RULE = Rule(
    id="NG503",
    name="shell-as-process",
    section=5,
    severity=Severity.WARNING,
    summary="A shell (`sh -c`, an entrypoint script without `exec`) runs as the container's process",
    check=check,
    doc=__doc__,
    fixable=True,
)
