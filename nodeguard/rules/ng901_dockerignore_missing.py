"""No `.dockerignore` where the build context is copied whole.

## What it does
Reports a `COPY . .`, `COPY . /app`, `COPY ./ ./` or `ADD . .` (in any stage) when the build context
has no ignore file: neither `.dockerignore` at its root nor `<Dockerfile name>.dockerignore` beside the
Dockerfile. It needs the context on disk; when only the Dockerfile's text is known and no ignore file
came with it, nothing is said. A file at the context's root that was meant as the ignore file but that
Docker does not read under its name (`.Dockerignore`, `. dockerignore`, `dockerignore`,
`.dockerignore.txt`, a trailing space) is named in the message, with the name to give it.

## Why
Without an ignore file Docker sends everything: the local `node_modules` (built for your laptop's OS,
possibly modified) lands on top of the one installed in the image, `.git` carries the whole history,
and `.env` files and an `.npmrc` with a token end up in a layer. Every changed log file also busts the
build cache at that `COPY`.

## Example
```dockerfile
FROM node:22-alpine
WORKDIR /app
COPY . .
```
Use instead: the same Dockerfile, with a `.dockerignore` beside it:
```
node_modules
npm-debug.log
.git
.env
.env.local
.npmrc
```

## Fix
No automatic fix (it would be a new file): create the `.dockerignore` with the lines the finding lists,
plus anything else your build does not need (`Dockerfile`, `coverage`, `dist` if you build inside).
"""
from collections.abc import Iterator

from nodeguard.findings import Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.copies import whole_context_copy
from nodeguard.model.image import Image
from nodeguard.node.dockerignore import missing_ignore_lines
from nodeguard.rules.base import NoOptions, Problem, Rule


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterator[Problem]:
    if context.dockerignore is not None or not context.files_readable:
        return
    copy = whole_context_copy(image)
    if copy is None:
        return
    wanted = context.display_path(".dockerignore")
    misnamed = context.misnamed_ignore_files()
    if misnamed:
        meant = misnamed[0]
        lines = [line for _, entry_lines in missing_ignore_lines(image, context, meant) for line in entry_lines]
        local = (" (a case-insensitive disk, as on macOS, reads it; Linux and CI builds do not)"
                 if meant.path.lower() == ".dockerignore" else "")
        add = f" and add: {', '.join(lines)}" if lines else ""
        yield Problem(
            copy.step.line,
            f"`{copy.step.instruction.first_line}` copies the whole build context and "
            f"`{context.display_path(meant.path)}` is there, but Docker reads only `.dockerignore`{local}, so "
            f"nothing is ignored and a local node_modules, .git and any .env or .npmrc go into the image; "
            f"rename it to {wanted}{add}",
            end_line=copy.step.end_line,
        )
        return
    lines = [line for _, entry_lines in missing_ignore_lines(image, context, None) for line in entry_lines]
    yield Problem(
        copy.step.line,
        f"`{copy.step.instruction.first_line}` copies the whole build context and there "
        f"is no .dockerignore, so a local node_modules, .git and any .env or .npmrc go into the image; create "
        f"{wanted} with: {', '.join(lines)}",
        end_line=copy.step.end_line,
    )


RULE = Rule(
    id="NG901",
    name="dockerignore-missing",
    section=9,
    severity=Severity.WARNING,
    strict_severity=Severity.ERROR,
    summary="No .dockerignore where the build context is copied whole",
    check=check,
    doc=__doc__,
)
