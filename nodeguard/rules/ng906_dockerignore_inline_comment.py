"""A `#` after a pattern in `.dockerignore` is part of the pattern, not a comment.

## What it does
Reports an ignore-file line that holds a pattern followed by blank space and `#`, such as
`node_modules # dependencies`. Docker treats a line as a comment only when `#` is its first character.

## Why
`node_modules # dependencies` ignores a file literally named `node_modules # dependencies`, and
nothing else: the folder you meant to keep out is sent and copied. Nothing warns you; the build just
gets slower and the image carries what you thought was ignored.

## Example
```
node_modules # dependencies
.env  # secrets
```
Use instead:
```
# dependencies
node_modules
# secrets
.env
```

## Fix
`--fix` moves the comment to a line of its own above the pattern.

Applicability: **unsafe**. The pattern then starts to exclude files, which the build may copy.
"""
from collections.abc import Iterator

from nodeguard.findings import Fix, Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.ignore_text import inline_comment
from nodeguard.model.image import Image
from nodeguard.rules.base import NoOptions, Problem, Rule


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterator[Problem]:
    ignore = context.dockerignore
    if ignore is None:
        return
    for number, line in enumerate(ignore.lines, start=1):
        split = inline_comment(line)
        if split is None:
            continue
        pattern, comment = split
        yield Problem(
            number,
            f"`{line.strip()}` is one pattern, `#` and all: Docker reads comments only at the start of a line, "
            f"so `{pattern}` is not ignored; put the comment on a line of its own",
            path=ignore.path,
            fix=Fix(number, number, f"{comment}\n{pattern}"),
        )


RULE = Rule(
    id="NG906",
    name="dockerignore-inline-comment",
    section=9,
    severity=Severity.WARNING,
    summary="Inline # comment in .dockerignore is part of the pattern",
    check=check,
    doc=__doc__,
    fixable=True,
)
