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
When the command is plain words (no `&&`, pipes, redirections or variables), `--fix` rewrites it to
the exec form of the same command. Otherwise move the logic into a script that ends with
`exec node server.js`, and run that script in exec form.
"""
import json
import re
import shlex

from nodeguard.findings import Fix, Severity
from nodeguard.rules.base import Problem, Rule

SHELL_SYNTAX = set("&|;<>$`()*?~\\\n")
ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def exec_form(instruction) -> str | None:
    """The exec-form text of a shell-form instruction, when the rewrite cannot change its meaning."""
    if any(char in SHELL_SYNTAX for char in instruction.args) or len(instruction.original.splitlines()) > 1:
        return None
    try:
        words = shlex.split(instruction.args)
    except ValueError:
        return None
    if not words or ASSIGNMENT.match(words[0]):
        return None  # ``CMD PORT=80 node server.js``: the exec form cannot set a variable
    keyword = instruction.original.lstrip().split(None, 1)[0]
    return f"{keyword} {json.dumps(words)}"


def check(image, context, options):
    stage = image.final
    if stage is None:
        return
    for instruction in (stage.entrypoint, stage.cmd):
        if instruction is None or instruction.is_exec_form:
            continue
        replacement = exec_form(instruction)
        fix = Fix(instruction.start_line, instruction.end_line, replacement) if replacement else None
        yield Problem(
            instruction.start_line,
            f"shell-form {instruction.keyword} runs under /bin/sh, which does not pass SIGTERM on to "
            f"the app; use the exec form{': ' + replacement if replacement else ''}",
            end_line=instruction.end_line,
            fix=fix,
        )


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
