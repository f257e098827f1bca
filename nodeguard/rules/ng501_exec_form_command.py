"""`CMD` and `ENTRYPOINT` of the shipped image use the exec (JSON) form.

## What it does
Reports a shell-form `CMD` or `ENTRYPOINT` in force in the final stage, inherited from a parent stage
included. `CMD node server.js` really runs `/bin/sh -c "node server.js"`.

## Why
With the shell form the shell is PID 1, and `/bin/sh` does not forward `SIGTERM` to its child: on
`docker stop` or a Kubernetes rollout your app never hears the signal, cannot close connections, and
is killed after the grace period. The exec form starts the program itself, so it receives signals.

## Example
```dockerfile
CMD node server.js
CMD "npm" "start"
```
Use instead:
```dockerfile
CMD ["node", "server.js"]
```

## Fix
When the command is plain words, `--fix` rewrites it to the exec form of the same command (for
`npm start` and the like, whose `start` script is a plain `node …` command, to that node command:
the same fix as NG502's, so the two findings agree); a leading
`exec` and a trailing `# comment` are shell syntax and are dropped. A single command that needs the
shell for variables, globs or redirections becomes `["sh", "-c", "exec …"]`: the shell expands, then
`exec` makes the app PID 1. Commands chained with `&&`, `;` or pipes, or that set variables, get no
fix: move the logic into a script that ends with `exec node server.js`, and run that script in exec
form.

Applicability: **safe** for a `CMD` when the final stage has no `ENTRYPOINT`; **unsafe** for an
`ENTRYPOINT` (the exec form appends `CMD` and `docker run` arguments, which the shell form ignored) and
for a `CMD` under an `ENTRYPOINT` (the entrypoint receives the words instead of `/bin/sh -c "…"`).
"""
import posixpath
from collections.abc import Iterator

from nodeguard.findings import Severity
from nodeguard.fix_builders import SAFE, UNSAFE, exec_form_command, exec_form_line, replace_instruction
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image
from nodeguard.node.manifest import script_name
from nodeguard.node.programs import PACKAGE_MANAGERS, strip_init
from nodeguard.node.runtime import invokes_only_script, script_node_command
from nodeguard.rules.base import NoOptions, Problem, Rule


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterator[Problem]:
    stage = image.final
    if stage is None:
        return
    for instruction in (stage.entrypoint, stage.cmd):
        if instruction is None or instruction.is_exec_form:
            continue
        words = exec_form_command(instruction)
        argv = _without_package_manager(image, context, words) if words is not None else None
        replacement = exec_form_line(instruction, argv) if argv is not None else None
        # An exec-form ENTRYPOINT takes CMD and `docker run` arguments, which the shell form ignores;
        # a CMD becomes an ENTRYPOINT's arguments word by word instead of as one `sh -c` string; running
        # the package script's node command directly (NG502's fix) changes the program.
        safe = instruction.keyword == "CMD" and stage.entrypoint is None and argv == words
        fix = replace_instruction(instruction, replacement, SAFE if safe else UNSAFE) if replacement else None
        yield Problem(
            instruction.start_line,
            f"shell-form {instruction.keyword} runs under /bin/sh, which does not pass SIGTERM on to "
            f"the app; use the exec form{': ' + replacement if replacement else ''}",
            end_line=instruction.end_line,
            fix=fix,
        )


def _without_package_manager(image: Image, context: BuildContext, argv: list[str]) -> list[str]:
    """``npm start`` in exec form is still NG502's problem: when the script is a plain node command, write
    that instead, so this fix and NG502's are the same one and both findings are settled."""
    command = list(strip_init(argv))
    prefix = argv[: len(argv) - len(command)]
    if not command or posixpath.basename(command[0]) not in PACKAGE_MANAGERS:
        return argv
    script = script_name(command)
    node_words = script_node_command(image, context, command)
    if script is None or node_words is None or not invokes_only_script(command[1:], script):
        return argv
    return prefix + node_words


RULE = Rule(
    id="NG501",
    name="exec-form-command",
    section=5,
    severity=Severity.WARNING,
    strict_severity=Severity.ERROR,
    summary="Shell-form CMD or ENTRYPOINT in the shipped image",
    check=check,
    doc=__doc__,
    fixable=True,
)
