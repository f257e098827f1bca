"""A `!` exception in `.dockerignore` that lets a secret back into the build context.

## What it does
Reports a `!` line of the ignore file that re-includes something sensitive: `!.env`,
`!.env.production`, `!.npmrc`, `!*.pem`, `!id_rsa`, `!.aws/credentials`, `!credentials.json`... The
exception is judged by Docker's matching, against the usual names of such files and, when the context
is on disk, against the files that are really there (a `!config` that brings back `config/.env`
counts). An exception that a later line overrides again does not count, and sample files
(`.env.example`, `.env.sample`, `.env.template`) are not secrets. An `.npmrc` or `.yarnrc.yml` counts
only when it is on disk and holds a token (Yarn needs its `.yarnrc.yml`, and many `.npmrc` files hold
only settings). An env file on disk whose keys all carry a front-end framework's public prefix
(`VITE_`, `NEXT_PUBLIC_`, `REACT_APP_`, `NUXT_PUBLIC_`, `PUBLIC_`, `EXPO_PUBLIC_`) and whose values do
not look like credentials is a public build setting committed on purpose, not a secret. A bare folder exception (`!.yarn/plugins/*`) is judged by the files really there.

## Why
The exception undoes the protection the ignore file gives: the file is sent to the builder, and a
`COPY . .` puts it into a layer that anyone who pulls the image can read.

## Example
```
.env*
!.env.production
```
Use instead:
```
.env*
```
and give the container its settings when it starts (`docker run --env-file`, a Kubernetes Secret).

## Fix
`--fix` deletes the `!` line, unless the Dockerfile copies that very file by name (deleting the line
would then break the build; move the values out of the file instead).

Applicability: **unsafe**. A build step or the app may still read the file (a `RUN` that sources it,
an `.env` loaded at start).
"""
import posixpath
from collections.abc import Iterator

from nodeguard.findings import Fix, Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.copies import context_copies, explicitly_copied
from nodeguard.model.ignore import IgnoreFile, IgnorePattern, parse_ignore_file
from nodeguard.model.image import Image
from nodeguard.node.packages import sensitive_file_reason
from nodeguard.rules.base import NoOptions, Problem, Rule

# The usual names of sensitive files, to test glob exceptions (``!*.pem``) against.
SENSITIVE_EXAMPLES = (".env", ".env.production", ".env.local", ".npmrc", "server.pem", "server.key", "id_rsa",
                      "id_ed25519", ".aws/credentials", "aws.json", "credentials.json", "service-account.json",
                      ".netrc", ".git-credentials")
GLOB_CHARACTERS = set("*?[")


def candidates(pattern: str, context: BuildContext) -> list[str]:
    """Paths the exception may bring back: names it could mean, and the context's files on disk."""
    last = posixpath.basename(pattern)
    if not GLOB_CHARACTERS & set(pattern):
        paths = [pattern]
    elif last.strip("*"):  # "*.pem", "config/.env*": names decide; a bare "dir/*" is judged by the files on disk
        folder = posixpath.dirname(pattern)
        paths = [posixpath.join(folder, name) if folder else name for name in SENSITIVE_EXAMPLES]
    else:
        paths = []
    matcher = parse_ignore_file("", pattern)
    paths += [path for path in context.iter_files() if matcher.excludes(path)]
    return list(dict.fromkeys(paths))


def reinclusions(ignore: IgnoreFile, pattern: IgnorePattern, context: BuildContext) -> list[tuple[str, str]]:
    """The sensitive paths this ``!`` line decides to send, with why each is sensitive."""
    found = []
    for path in candidates(pattern.pattern, context):
        if ignore.matching_pattern(path) != pattern:
            continue
        # An .npmrc or .yarnrc.yml counts only when it is on disk with a token: Yarn needs its .yarnrc.yml.
        reason = sensitive_file_reason(path, context.read_text)
        if reason:
            found.append((path, reason))
    return found


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterator[Problem]:
    ignore = context.dockerignore
    if ignore is None or not context_copies(image):
        return
    copied = explicitly_copied(image)
    for pattern in ignore.patterns:
        if not pattern.negated:
            continue
        found = reinclusions(ignore, pattern, context)
        if not found:
            continue
        path, reason = found[0]
        keeps_build_working = not any(path in copied for path, _ in found)
        what = f"`{path}`" if context.exists(path) or path == pattern.pattern else f"files such as `{path}`"
        yield Problem(
            pattern.line,
            f"`{pattern.text}` lets {what} ({reason}) back into the build context, where a COPY from the context "
            f"can put it into a layer; remove the exception and give the values to the container when it starts",
            path=ignore.path,
            fix=Fix(pattern.line, pattern.line, "") if keeps_build_working else None,
        )


RULE = Rule(
    id="NG903",
    name="dockerignore-reincludes-sensitive",
    section=9,
    severity=Severity.ERROR,
    summary=".dockerignore exception re-includes a sensitive file",
    check=check,
    doc=__doc__,
    fixable=True,
)
