"""Installs follow the lockfile exactly: `npm ci`, `yarn install --frozen-lockfile`/`--immutable`, `pnpm install --frozen-lockfile`.

## What it does
Reports, in every stage (build stages too), an install of the app's dependencies that may resolve
versions anew instead of taking them from the lockfile:

- `npm install` / `npm i` without package names (use `npm ci`);
- `yarn install` or a bare `yarn` without `--frozen-lockfile` (Yarn 1) or `--immutable` (Yarn 2+);
  `--pure-lockfile` is not enough: it keeps yarn.lock from being written, but installs what package.json
  asks for where the two disagree, without failing;
- `pnpm install` / `pnpm i` without `--frozen-lockfile`;
- `bun install` without `--frozen-lockfile`.

Installing a named package (`npm install express`, `npm install -g pm2@5`) is not reported: it
adds a tool or a package on purpose rather than installing what package.json lists. A `CI=true` in
force counts as frozen for pnpm and Yarn 2+, which turn frozen installs on under CI, as does
`YARN_ENABLE_IMMUTABLE_INSTALLS=true` for Yarn 2+; `yarn workspaces focus` has no frozen mode and is
not reported.

## Why
`npm install` updates the lockfile whenever a range in package.json allows a newer version, so the
same commit builds different images on different days, and a compromised release of a transitive
dependency gets in without a review. `npm ci` installs exactly what the lockfile says and stops when
package.json and the lockfile disagree.

## Example
```dockerfile
RUN npm install --omit=dev
RUN yarn install
```
Use instead:
```dockerfile
RUN npm ci --omit=dev
RUN yarn install --frozen-lockfile
```

## Fix
`--fix` rewrites `npm install` to `npm ci` with the same options only when the build context on disk
holds an npm lockfile that is sent and copied (or bind-mounted) before the install: `npm ci` fails
without it (see NG203). With the same condition on the manager's lockfile it adds `--frozen-lockfile` to `pnpm install` and
`bun install`, and adds `--frozen-lockfile` or `--immutable` to `yarn install` when the context tells
Yarn 1 from Yarn 2+ (`packageManager` in package.json, `.yarnrc.yml`, the yarn.lock format), in place
of a `--pure-lockfile`. Only the
words of the install change; the line layout stays. An exec-form `RUN ["npm", "install"]` is not
rewritten.

Applicability: **unsafe**. `npm ci` fails when the lockfile is out of sync with package.json, and a
frozen lockfile makes the other managers fail the same way.
"""
from collections.abc import Iterator

from nodeguard.findings import Fix, Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image
from nodeguard.node.installs import (
    InstallUse,
    edit_words,
    install_uses,
    installs_dependencies,
    lockfile_in_place,
    manager_index,
    word_index,
)
from nodeguard.node.manifest import yarn_is_berry
from nodeguard.node.packages import LOCKFILES, NPM_INSTALL_ALIASES
from nodeguard.rules.base import NoOptions, Problem, Rule

_TRUE = ("true", "1", "yes")
_PURE_LOCKFILE = "--pure-lockfile"  # Yarn 1: the lockfile is not written, and not followed either


def _frozen_by_environment(use: InstallUse, berry: bool | None) -> bool:
    variables = use.variables()
    under_ci = variables.get("CI", "").lower() in _TRUE
    if use.manager == "pnpm":
        return under_ci
    if use.manager == "yarn" and berry:
        return under_ci or variables.get("YARN_ENABLE_IMMUTABLE_INSTALLS", "").lower() in _TRUE
    return False


def _lockfile_missing(context: BuildContext, manager: str) -> bool:
    if not context.exists("package.json"):
        return False  # not the app's sources: nothing is known about its lockfile
    return not any(context.exists(name) for name in LOCKFILES[manager])


def _npm_problem(use: InstallUse, image: Image, context: BuildContext) -> Problem:
    index = word_index(use, NPM_INSTALL_ALIASES)
    no_lockfile = _lockfile_missing(context, "npm")
    # `npm ci` fails without a lockfile in the image: rewrite only where one is known to be copied first.
    fix = edit_words(use, {index: "ci"}) if index is not None and lockfile_in_place(use, image, context) else None
    advice = "commit a package-lock.json and use `npm ci`" if no_lockfile else "use `npm ci`, which installs exactly the lockfile"
    return _problem(use, f"`{use.text}` may resolve newer versions than the lockfile; {advice}", fix)


def _add_flag_problem(use: InstallUse, image: Image, context: BuildContext, flag: str | None, message: str) -> Problem:
    fix = None
    if flag is not None and lockfile_in_place(use, image, context):
        pure = word_index(use, (_PURE_LOCKFILE,))
        if pure is not None:  # the flag takes the place of the one that did not follow the lockfile
            return _problem(use, message, edit_words(use, {pure: flag}))
        index = word_index(use, ("install", "i"))
        if index is None and len(use.command.argv) == manager_index(use) + 1:
            index = manager_index(use)  # a bare `yarn`
        if index is not None:
            fix = edit_words(use, {index: f"{use.command.argv[index]} {flag}"})
    return _problem(use, message, fix)


def _problem(use: InstallUse, message: str, fix: Fix | None) -> Problem:
    return Problem(use.step.line, message, end_line=use.step.end_line, fix=fix)


def _yarn_flag(berry: bool | None) -> str | None:
    return None if berry is None else ("--immutable" if berry else "--frozen-lockfile")


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterator[Problem]:
    berry = yarn_is_berry(context.read_text)
    for use in install_uses(step for stage in image.stages for step in stage.steps):
        if not installs_dependencies(use) or use.install.deterministic or _frozen_by_environment(use, berry):
            continue
        if use.manager == "npm":
            yield _npm_problem(use, image, context)
        elif use.manager == "yarn":
            if "workspaces" in use.command.argv:
                continue
            flag = _yarn_flag(berry)
            wanted = f"`{flag}`" if flag else "`--frozen-lockfile` (Yarn 1) or `--immutable` (Yarn 2+)"
            if _PURE_LOCKFILE in use.command.argv:
                message = (f"`{use.text}` does not write yarn.lock, but may install versions it does not list, "
                           f"without failing, when package.json and yarn.lock disagree; use {wanted} instead")
            else:
                message = f"`{use.text}` may change yarn.lock instead of following it; add {wanted}"
            yield _add_flag_problem(use, image, context, flag, message)
        else:
            lockfile = LOCKFILES[use.manager][0]
            yield _add_flag_problem(
                use, image, context, "--frozen-lockfile", f"`{use.text}` may change {lockfile} instead of following it; add `--frozen-lockfile`"
            )


RULE = Rule(
    id="NG201",
    name="deterministic-install",
    section=2,
    severity=Severity.WARNING,
    strict_severity=Severity.ERROR,
    summary="Dependencies installed without following the lockfile (`npm install` instead of `npm ci`)",
    check=check,
    doc=__doc__,
    fixable=True,
)
