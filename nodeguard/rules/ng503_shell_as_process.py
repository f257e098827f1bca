"""No shell stands between the container and the app: no `sh -c`, and entrypoint scripts end with `exec`.

## What it does
Looks at the final exec-form `CMD`/`ENTRYPOINT` (shell forms are NG501's) and reports:

- a shell as the process: `CMD ["sh", "-c", "node server.js"]`, `["/bin/bash", "-c", ...]`, also
  behind an init, unless the script hands over with `exec` (`sh -c "exec node server.js"`);
- a shell script as the process (`CMD ["./start.sh"]`, `ENTRYPOINT ["/docker-entrypoint.sh"]`) that
  never uses `exec` to start the app. The script is read from the build context when it is on disk
  and a `COPY` shows where it came from (`exec "$@"`, `exec node server.js`, `exec su-exec node ...` all
  count). A script that cannot be read is mentioned once as info; the official node image's own
  `docker-entrypoint.sh`, which ends with `exec "$@"`, is fine.

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
plain command (no operators, quotes or variables), keeping an init in front. A script file needs
`exec` added by hand.
"""
import json
import posixpath
import re

from nodeguard.findings import Fix, Severity
from nodeguard.model.image import Image
from nodeguard.node.packages import SHELLS, strip_init
from nodeguard.rules.base import Problem, Rule
from nodeguard.rules.image_files import ImageReader, absolute
from nodeguard.rules.process import final_process, instruction_words, plain_words, shell_script

_EXEC = re.compile(r"(?:^|[;&|(]|\bthen|\belse|\bdo)\s*exec\s+(?![0-9]*[<>]|-)\S", re.MULTILINE)
_EXEC_WITH_OPTIONS = re.compile(r"(?:^|[;&|(]|\bthen|\belse|\bdo)\s*exec\s+-[acl]+\s+\S", re.MULTILINE)
_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
NODE_IMAGE_ENTRYPOINT = "docker-entrypoint.sh"


def hands_over(script: str) -> bool:
    """True when a shell script replaces itself with another program (``exec node ...``, ``exec "$@"``)."""
    code = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("#"))
    return bool(_EXEC.search(code) or _EXEC_WITH_OPTIONS.search(code))


def _is_shell_script(text: str, name: str) -> bool:
    first = text.split("\n", 1)[0]
    if first.startswith("#!"):
        words = first[2:].replace("/usr/bin/env", " ").split()
        return bool(words) and posixpath.basename(words[0]) in SHELLS
    return name.endswith(".sh")


def _script_paths(word: str, workdir: str) -> list[str]:
    """Where the image looks for the program: a path as written, else the directories of PATH."""
    if "/" in word:
        return [absolute(word, workdir)]
    return [f"{folder}/{word}" for folder in _PATH]


def _read_script(image: Image, context, word: str) -> tuple[str, str] | None:
    """(image path, text) of a script program found in the build context."""
    if context.root is None:
        return None
    reader = ImageReader(image, image.final, context, "/")
    for path in _script_paths(word, image.final.workdir):
        text = reader(path.lstrip("/"))
        if text is not None:
            return path, text
    return None


def _inline_shell(instruction, command, script):
    if hands_over(script):
        return None
    words = plain_words(script)
    fix = None
    own = list(instruction.json_args or ())
    if words is not None and own[-len(command) :] == list(command) and len(own) >= len(command):
        prefix = own[: len(own) - len(command)]
        keyword = instruction.original.lstrip().split(None, 1)[0]
        fix = Fix(instruction.start_line, instruction.end_line, f"{keyword} {json.dumps(prefix + words)}")
    shell = posixpath.basename(command[0])
    advice = f"use {json.dumps(words)}" if words else "put `exec` before the command that starts the app"
    return Problem(
        instruction.start_line,
        f"`{shell} -c` runs as the container's process and does not pass SIGTERM on to `{script.strip()}`; {advice}",
        end_line=instruction.end_line,
        fix=fix,
    )


def _script_file(image, context, instruction, program: str):
    found = _read_script(image, context, program)
    if found is None:
        if not program.endswith(".sh") or posixpath.basename(program) == NODE_IMAGE_ENTRYPOINT:
            return None
        return Problem(
            instruction.start_line,
            f"`{program}` is a shell script nodeguard cannot read; make sure it starts the app with `exec` so the app gets SIGTERM",
            end_line=instruction.end_line,
            severity=Severity.INFO,
        )
    path, text = found
    if not _is_shell_script(text, path) or hands_over(text):
        return None
    return Problem(
        instruction.start_line,
        f"`{program}` runs as the container's process and starts the app without `exec`, so the shell keeps "
        f"SIGTERM from it; start the app with `exec node ...` (or end with `exec \"$@\"`)",
        end_line=instruction.end_line,
    )


def check(image, context, options):
    process = final_process(image)
    if process is None:
        return
    entrypoint = process.entrypoint
    from_entrypoint = entrypoint is not None and bool(strip_init(instruction_words(entrypoint)))
    instruction = entrypoint if from_entrypoint else process.cmd
    if instruction is None or not instruction.is_exec_form:
        return
    command = strip_init(process.argv)
    if not command:
        return
    script = shell_script(command)
    problem = (
        _inline_shell(instruction, command, script)
        if script is not None
        else _script_file(image, context, instruction, command[0])
    )
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
