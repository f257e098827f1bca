"""The lockfile of the package manager in use is in the build context, sent, and copied before the install.

## What it does
When the build context is on disk and holds the app's package.json, for every install of the app's dependencies (`npm ci`, `npm
install`, `yarn install`, `pnpm install`, `bun install`, in any stage) it checks the lockfile of that
package manager (`package-lock.json` or `npm-shrinkwrap.json`, `yarn.lock`, `pnpm-lock.yaml`,
`bun.lock` or `bun.lockb`) and reports:

- no lockfile in the folder package.json is copied from, nor in a folder above it in the context;
- a lockfile that the `.dockerignore` excludes (reported on the ignore file's line);
- a lockfile left out by the `COPY` instructions before the install, e.g. `COPY package.json ./`
  then `RUN npm ci`. When no `COPY` from the context comes before the install (the files arrive from
  another stage or through a bind mount), there is nothing to judge. A `RUN --mount=type=bind` that
  brings the lockfile counts as copying it.

## Why
Without its lockfile, `npm ci` stops with an error and `npm install`, `yarn install` and `pnpm
install` resolve every version again: each build can install different code than the one you tested.

## Example
```dockerfile
COPY package.json ./
RUN npm ci --omit=dev
```
Use instead:
```dockerfile
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
```

## Fix
`--fix` adds the lockfile beside `package.json` in a shell-form `COPY` that names `package.json`
itself, and deletes a `.dockerignore` line that names the lockfile exactly. A missing lockfile has to
be generated (`npm install --package-lock-only`) and committed.

Applicability: **unsafe**. The install then follows the lockfile, which may be out of sync with
package.json (`npm ci` fails) or pin other versions than the build used so far.
"""
import posixpath
from collections.abc import Iterator

from nodeguard.findings import Fix, Severity
from nodeguard.fix_builders import UNSAFE, replace_word
from nodeguard.model.context import BuildContext
from nodeguard.model.copies import ContextCopy
from nodeguard.model.ignore import clean_path
from nodeguard.model.image import Image
from nodeguard.node.installs import (
    PACKAGE_JSON,
    InstallUse,
    bind_sources,
    brings,
    copies_before,
    install_uses,
    installs_dependencies,
    lockfiles_in,
    package_folder,
)
from nodeguard.node.packages import LOCKFILES
from nodeguard.rules.base import NoOptions, Problem, Rule

def _copy_fix(copy: ContextCopy, lockfile: str) -> Fix | None:
    """Add the lockfile after the ``package.json`` source word of a one-line shell-form COPY."""
    instruction = copy.step.instruction
    if instruction.is_exec_form or instruction.start_line != instruction.end_line:
        return None
    named = [source for source in copy.sources if posixpath.basename(clean_path(source)) == PACKAGE_JSON]
    if len(named) != 1:
        return None
    return replace_word(instruction, named[0], f"{named[0]} {lockfile}", UNSAFE)


def _ignore_problem(context: BuildContext, lockfile: str, use: InstallUse) -> Problem:
    ignore = context.dockerignore
    assert ignore is not None  # the lockfile is not sent: an ignore file leaves it out
    pattern = ignore.matching_pattern(lockfile)
    assert pattern is not None  # the pattern that excludes it
    fix = Fix(pattern.line, pattern.line, "") if pattern.pattern == clean_path(lockfile) else None
    return Problem(
        pattern.line,
        f"`{pattern.text}` keeps {lockfile} out of the build context, but `{use.text}` (Dockerfile line "
        f"{use.step.line}) needs it to install exactly the locked versions",
        path=ignore.path,
        fix=fix,
    )


def _problems(use: InstallUse, image: Image, context: BuildContext) -> Iterator[tuple[str | int, Problem]]:
    """(what makes the problem the same as another, the problem): a missing or ignored lockfile is one
    problem however many installs need it."""
    copies = copies_before(use, image)
    folder = package_folder(copies)
    if not context.exists(posixpath.join(folder, PACKAGE_JSON)):
        return  # the app's sources are not in this context (a partial checkout): nothing to judge
    lockfiles = lockfiles_in(context, folder, use.manager)
    names = " or ".join(LOCKFILES[use.manager])
    if not lockfiles:
        yield use.manager, Problem(
            use.step.line,
            f"`{use.text}` needs {names} but the build context has none; generate the lockfile and commit it",
            end_line=use.step.end_line,
        )
        return
    sent = [lockfile for lockfile in lockfiles if context.is_sent(lockfile)]
    if not sent:
        yield use.manager, _ignore_problem(context, lockfiles[0], use)
        return
    if not copies or any(brings(source, lockfile) for source in bind_sources(use) for lockfile in sent):
        return
    if any(brings(source, lockfile) for copy in copies for source in copy.sources for lockfile in sent):
        return
    lockfile = sent[0]
    carrier = next((copy for copy in copies if any(posixpath.basename(clean_path(s)) == PACKAGE_JSON for s in copy.sources)), None)
    if carrier is None:
        return
    yield carrier.step.line, Problem(
        carrier.step.line,
        f"this COPY brings package.json but not {lockfile}, so `{use.text}` (line {use.step.line}) cannot follow "
        f"the lockfile; copy {lockfile} too",
        end_line=carrier.step.end_line,
        fix=_copy_fix(carrier, lockfile),
    )


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterator[Problem]:
    if not context.files_readable:
        return
    seen: set[str | int] = set()
    for use in install_uses(step for stage in image.stages for step in stage.steps):
        if not installs_dependencies(use):
            continue
        for key, problem in _problems(use, image, context):
            if key not in seen:
                seen.add(key)
                yield problem


RULE = Rule(
    id="NG203",
    name="lockfile-missing",
    section=2,
    severity=Severity.ERROR,
    summary="The package manager's lockfile is missing from the build context, ignored, or not copied",
    check=check,
    doc=__doc__,
    fixable=True,
)
