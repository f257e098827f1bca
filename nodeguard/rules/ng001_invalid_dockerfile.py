"""Reports input that nodeguard cannot read as a Dockerfile.

## What it does
Reports what stopped nodeguard from reading a Dockerfile completely: an empty or binary file, text
that is not UTF-8, a file over the size limit, an unterminated heredoc, an unknown instruction,
arguments `docker build` refuses (`ENV PATH` without a value, `ENV a=1 b`, `HEALTHCHECK CMD [1]`,
an ARG or ENV with a blank name), or a file without `FROM`. Also a `.dockerignore` pattern that
`docker build` refuses (a lone `!`, `[]a]`, `[x-]`, `[a-b-c]`, a trailing backslash), reported on
the ignore file's line.

## Why
A file that cannot be read cannot be checked. Saying so, with the line, is better than a silent pass:
the rest of the file is still checked as far as it could be read, and the other files are checked
as usual.

## Example
```dockerfile
RUN <<EOF
npm ci
```
The heredoc is never closed, so Docker would fail to build this file too.

## Fix
Correct the file at the line given; `docker build` would fail on it as well.
"""
from collections.abc import Iterator

from nodeguard.findings import Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image
from nodeguard.rules.base import NoOptions, Problem, Rule


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterator[Problem]:
    for problem in image.parsed.problems:
        yield Problem(line=problem.line, message=problem.message)
    ignore = context.dockerignore
    if ignore is not None:
        for error in ignore.errors:
            yield Problem(line=error.line, message=error.message, path=ignore.path)


RULE = Rule(
    id="NG001",
    name="invalid-dockerfile",
    section=0,
    severity=Severity.ERROR,
    summary="The file cannot be read as a Dockerfile",
    check=check,
    doc=__doc__,
)
