"""A sensitive file in the build context would be copied into the image.

## What it does
When the build context is on disk and a `COPY . .` (or `ADD .`, `COPY ./ /app`...) copies it whole,
reports every sensitive file that the ignore file and the copy's `--exclude` patterns let through: `.env` and `.env.*` (not
`.env.example`, `.env.sample`, `.env.template`), `*.pem`, `*.key`, `*.p12`, `id_rsa*`, `id_ed25519*`,
`aws.json`, `.aws/credentials`, `credentials.json`, `service-account*.json`, `.netrc`,
`.git-credentials`, and an `.npmrc` or `.yarnrc.yml` that holds a registry token. An env file whose
keys all carry a front-end framework's public prefix (`VITE_`, `NEXT_PUBLIC_`, `REACT_APP_`,
`NUXT_PUBLIC_`, `PUBLIC_`, `EXPO_PUBLIC_`) and whose values do not look like credentials holds public
build settings, committed on purpose, and is not reported. One finding per
file. With an ignore file the finding is on its last line (that is where the fix goes) and names the
`COPY`; without one it is on the `COPY` line (and NG901 asks for the file).

## Why
`COPY . .` copies what the builder is sent. A `.env` with database passwords or a private key then
sits in a layer of the image, readable by anyone who can pull it, long after the file was deleted from
your disk.

## Example
A context holding `.env` and `server.key`, with
```dockerfile
COPY . .
```
and a `.dockerignore` of
```
node_modules
```
Use instead:
```
node_modules
.env
server.key
```

## Fix
When the context has an ignore file, `--fix` appends a line for each such file. Without one, create
it (NG901).

Applicability: **unsafe**. A build step or the app may still read the file from the image.
"""
from collections.abc import Iterator

from nodeguard.findings import Severity
from nodeguard.fix_builders import UNSAFE, append_lines
from nodeguard.model.context import BuildContext
from nodeguard.model.copies import whole_context_copy
from nodeguard.model.image import Image
from nodeguard.node.packages import sensitive_file_reason
from nodeguard.rules.base import NoOptions, Problem, Rule

_GLOB_SPECIALS = "\\*?["


def ignore_line(relpath: str) -> str:
    """The .dockerignore line that keeps out exactly this file."""
    return "".join("\\" + char if char in _GLOB_SPECIALS else char for char in relpath)


def sent_secrets(context: BuildContext) -> list[tuple[str, str]]:
    found = []
    for path in context.iter_files():
        reason = sensitive_file_reason(path, context.read_text)
        if reason and context.is_sent(path):
            found.append((path, reason))
    return found


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterator[Problem]:
    if not context.files_readable:
        return
    copy = whole_context_copy(image)
    final = image.final
    if copy is None or final is None:
        return
    found = [(path, reason) for path, reason in sent_secrets(context) if not copy.leaves_out(path)]
    if not found:
        return
    ignore = context.dockerignore
    command = f"`{copy.step.instruction.first_line}`"
    lineage = {stage.index for stage in final.lineage()}
    stage = image.stages[copy.step.stage_index]
    target = "the image" if stage.index in lineage else f"a layer of build stage `{stage.label}`"
    fix = None
    if ignore is not None:
        fix = append_lines(len(ignore.lines), [ignore_line(path) for path, _ in found], UNSAFE)
    for path, reason in found:
        shown = context.display_path(path)
        if ignore is None:
            yield Problem(
                copy.step.line,
                f"{command} copies `{shown}` ({reason}) from the build context into {target}; keep it out "
                f"with a .dockerignore line `{ignore_line(path)}`",
                end_line=copy.step.end_line,
            )
        else:
            yield Problem(
                max(len(ignore.lines), 1),
                f"`{shown}` ({reason}) is not ignored, so {command} (line {copy.step.line} of "
                f"{image.path}) copies it into {target}; add `{ignore_line(path)}` to {ignore.path}",
                path=ignore.path,
                fix=fix,
            )


RULE = Rule(
    id="NG904",
    name="sensitive-file-in-context",
    section=9,
    severity=Severity.ERROR,
    summary="Sensitive file in the build context copied by COPY . .",
    check=check,
    doc=__doc__,
    fixable=True,
)
