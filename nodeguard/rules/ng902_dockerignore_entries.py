"""The `.dockerignore` does not keep out `node_modules`, `.git`, `.env`, `.npmrc` or `npm-debug.log`.

## What it does
When a Dockerfile copies anything from its build context and the context has an ignore file, checks
that the file keeps out `node_modules`, `.git`, `.env`, `.npmrc` and `npm-debug.log`, and names each
one it does not (other files that exist, such as `.env.local` or `*.pem`, are NG904's). Entries are judged by Docker's own matching, so
`**/node_modules`, `/.git`, `.env*`, or a `*` followed by `!` exceptions all count, and a later `!`
exception that re-includes one of them does not. A path the Dockerfile copies by name (`COPY .npmrc
./`) is not asked for, since ignoring it would break the build. In a context with nested packages
`node_modules` is asked for as `**/node_modules`. The log file asked for is the project's package
manager's own: `npm-debug.log`, `yarn-error.log` or `pnpm-debug.log` (none for Bun), known from the
lockfile at the context's root, else from the Dockerfile's installs.

An entry is asked for only when a copy from the context can take it: `COPY . .`, `COPY * ./`, a
source with an unresolved variable, or a wildcard or folder that covers it. All five sit at the
context's root, so a Dockerfile that copies only `package*.json` and `src` is asked for none of them
(nested `node_modules`, as `**/node_modules`, when a copied folder holds packages).

## Why
A local `node_modules` overwrites or pollutes the one installed in the image, `.git` carries the
history (and anything once committed), `.env` and `.npmrc` hold credentials, and log files change on
every run and bust the build cache.

## Example
```
# .dockerignore
dist
coverage
```
Use instead:
```
# .dockerignore
dist
coverage
node_modules
.git
.env
.npmrc
npm-debug.log
```

## Fix
`--fix` appends the missing lines at the end of the ignore file.

Applicability: **unsafe**. The build may use what is then left out (a `git` command reading `.git`,
a `node_modules` copied instead of installed, an `.env` the app reads at run time).
"""
from collections.abc import Iterator

from nodeguard.findings import Severity
from nodeguard.fix_builders import UNSAFE, append_lines
from nodeguard.model.context import BuildContext
from nodeguard.model.copies import context_copies
from nodeguard.model.ignore_text import without_inline_comments
from nodeguard.model.image import Image
from nodeguard.node.dockerignore import missing_ignore_lines
from nodeguard.rules.base import NoOptions, Problem, Rule


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterator[Problem]:
    ignore = context.dockerignore
    if ignore is None or not context_copies(image):
        return
    # A pattern spoilt by an inline comment is NG906's: judge the file as that rule's fix leaves it.
    missing = missing_ignore_lines(image, context, without_inline_comments(ignore))
    if not missing:
        return
    named = "; ".join(f"{', '.join(f'`{line}`' for line in lines)} ({entry.reason})" for entry, lines in missing)
    lines = [line for _, entry_lines in missing for line in entry_lines]
    yield Problem(
        max(len(ignore.lines), 1),
        f"{ignore.path} does not keep out {named}; add: {', '.join(lines)}",
        path=ignore.path,
        fix=append_lines(len(ignore.lines), lines, UNSAFE),
    )


RULE = Rule(
    id="NG902",
    name="dockerignore-entries",
    section=9,
    severity=Severity.WARNING,
    summary=".dockerignore misses node_modules, .git, .env, .npmrc or npm-debug.log",
    check=check,
    doc=__doc__,
    fixable=True,
)
