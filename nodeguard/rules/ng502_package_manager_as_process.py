"""The shipped image does not run its app through npm, yarn, pnpm, npx or corepack.

## What it does
Reports a final `CMD`/`ENTRYPOINT` (exec or shell form, inherited ones included) whose process is a
package manager: `CMD ["npm", "start"]`, `CMD yarn start`, `ENTRYPOINT ["npx", "ts-node", "src/main.ts"]`,
also behind an init (`CMD ["dumb-init", "npm", "start"]`) or in `sh -c "npm start"`.

## Why
The package manager starts your app as a child process and does not pass `SIGTERM` or `SIGINT` on
to it. `docker stop` and a Kubernetes rollout then wait out the grace period and kill the app with
`SIGKILL`: open requests are cut, connections are not closed, nothing is flushed. npm also adds its
own memory and start-up time, and writes its logs to the container's file system.

## Example
```dockerfile
CMD ["dumb-init", "npm", "start"]
```
Use instead (when package.json has `"start": "node server.js"`):
```dockerfile
CMD ["dumb-init", "node", "server.js"]
```

## Fix
When the build context is on disk and the script run (`start`, or the one named: `npm run serve`,
`yarn serve`) is a plain `node <file> [args]` with no shell syntax or variables, `--fix` replaces the
instruction with the exec form of that command, keeping an init in front of it. npm's default
`start` (`node server.js`, when package.json has no `start` script) counts. Otherwise the message
names the script to run with node directly. yarn, pnpm and bun run a word that is not a script in
package.json (`pnpm http-server`) as the program of that name from `node_modules/.bin`: the message
then says so and gives its exec form; when package.json cannot be read, it names the script or program.

Applicability: **unsafe**. The package manager does more than start the script: `pre`/`post` scripts,
`npm_package_*` and `npm_config_*` variables, its own working folder; the app may rely on them.
"""
from __future__ import annotations

import json
import posixpath
from collections.abc import Iterator

from nodeguard.findings import Fix, Severity
from nodeguard.fix_builders import UNSAFE, exec_form_line, replace_instruction
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image
from nodeguard.model.process import final_process, instruction_words, plain_argv
from nodeguard.node.manifest import script_name, script_or_program
from nodeguard.node.programs import PACKAGE_MANAGERS, strip_init
from nodeguard.node.runtime import app_package_json, invokes_only_script, launched, script_node_command
from nodeguard.rules.base import NoOptions, Problem, Rule

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from nodeguard.model.instructions import Instruction


def _fix(instruction: Instruction, other: Instruction | None, node_words: list[str], script: str) -> Fix | None:
    words = plain_argv(instruction)
    if words is None or (instruction.keyword == "ENTRYPOINT" and other is not None):
        return None
    command = list(strip_init(words))
    prefix = words[: len(words) - len(command)]
    if not command or posixpath.basename(command[0]) not in PACKAGE_MANAGERS or not invokes_only_script(command[1:], script):
        return None
    return replace_instruction(instruction, exec_form_line(instruction, prefix + node_words), UNSAFE)


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterator[Problem]:
    process = final_process(image)
    if process is None:
        return
    command = launched(process.argv)
    if not command or posixpath.basename(command[0]) not in PACKAGE_MANAGERS:
        return
    manager = posixpath.basename(command[0])
    in_entrypoint = process.entrypoint is not None and launched(instruction_words(process.entrypoint))[:1] == command[:1]
    instruction = process.entrypoint if in_entrypoint else process.cmd
    if instruction is None:
        return
    other = process.cmd if in_entrypoint else None
    shown = " ".join(command)
    script = script_name(command)
    node_words = script_node_command(image, context, command)
    fix = _fix(instruction, other, node_words, script) if node_words is not None and script is not None else None
    if node_words is not None:
        runs = fix.replacement if fix else json.dumps(node_words)
        advice = f"the `{script}` script is `{' '.join(node_words)}`: run it directly, {runs}"
    elif script is not None:
        advice = _script_advice(image, context, command, manager, script)
    else:
        advice = "run the app with node directly, in exec form"
    yield Problem(
        instruction.start_line,
        f"`{shown}` runs as the container's process, and {manager} does not pass SIGTERM on to the app; {advice}",
        end_line=instruction.end_line,
        fix=fix,
    )


def _script_advice(image: Image, context: BuildContext, command: list[str] | tuple[str, ...], manager: str,
                   script: str) -> str:
    """What to run instead of ``{manager} {script}``: the script's command, or, for a word yarn, pnpm or
    bun runs without ``run`` and package.json has no script of that name, the program of that name."""
    if script_or_program(command):
        package = app_package_json(image, context)
        if package is None:
            return f"run what the `{script}` script or program runs with node directly, in exec form"
        scripts = package.get("scripts")
        if not isinstance(scripts, dict) or script not in scripts:
            program = [f"node_modules/.bin/{script}", *command[command.index(script, 1) + 1:]]
            return (f"`{script}` is not a script in package.json, so {manager} runs the `{script}` program from "
                    f"node_modules/.bin; run it without {manager}, in exec form: {json.dumps(program)}")
    return f"run the command of the `{script}` script with node directly, in exec form"


RULE = Rule(
    id="NG502",
    name="package-manager-as-process",
    section=5,
    severity=Severity.WARNING,
    strict_severity=Severity.ERROR,
    summary="npm, yarn, pnpm or npx runs as the container's process",
    check=check,
    doc=__doc__,
    fixable=True,
)
