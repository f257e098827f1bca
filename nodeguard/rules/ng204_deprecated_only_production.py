"""`npm --only=production` and `npm --production` are deprecated: use `--omit=dev`.

## What it does
Reports an npm install (`npm ci`, `npm install`, `npm prune`, in any stage) that asks for production
dependencies with `--only=production` / `--only=prod` (deprecated since npm 7) or `--production`
(deprecated since npm 9). Yarn's and pnpm's `--production`/`--prod` are their current options and
are not reported, and neither is an install run by the npm 6 of a Node.js 14-or-older image (`node:14`,
`node:carbon`) that the Dockerfile has not upgraded (`npm install -g npm@8`): npm 6 has no `--omit`, so
there the old option is the only one (NG701 reports the end-of-life line).

## Why
Both still work, but npm prints a warning on every build and may drop them; `--omit=dev` is the
option npm documents, and it is what the rest of npm's configuration (`omit=dev` in .npmrc,
`NPM_CONFIG_OMIT`) uses.

## Example
```dockerfile
RUN npm ci --only=production
```
Use instead:
```dockerfile
RUN npm ci --omit=dev
```

## Fix
`--fix` replaces the option with `--omit=dev`, leaving the rest of the line as it is.

Applicability: **unsafe**. npm 6 (the npm of Node.js 14 and older images) does not know `--omit` and
then installs the devDependencies too; where the image's line is not known (a base image nodeguard does
not know), check its npm version first.
"""
from collections.abc import Iterator

from nodeguard.findings import Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image
from nodeguard.node.installs import InstallUse, bundled_npm_lacks_omit, edit_words, install_uses
from nodeguard.node.support import day_of
from nodeguard.rules.base import Problem, Rule, TodayOptions

PRODUCTION_VALUES = ("production", "prod")


def _deprecated_words(use: InstallUse) -> tuple[str, dict[int, str] | None] | None:
    """The deprecated option as written, and the edits that turn it into ``--omit=dev`` (None: no fix)."""
    argv = use.command.argv
    for index, word in enumerate(argv):
        name, _, value = word.partition("=")
        if name == "--only":
            if not value and index + 1 < len(argv):
                value = argv[index + 1]
                edits = {index: "--omit=dev", index + 1: ""}
            else:
                edits = {index: "--omit=dev"}
            return f"--only={value}", edits if value in PRODUCTION_VALUES else None
        if word == "--production":
            return word, {index: "--omit=dev"}
    return None


def check(image: Image, context: BuildContext, options: TodayOptions) -> Iterator[Problem]:
    today = day_of(options.today)
    for use in install_uses(step for stage in image.stages for step in stage.steps):
        if use.manager != "npm" or use.install.deprecated_flag is None or bundled_npm_lacks_omit(image, use, today):
            continue
        found = _deprecated_words(use)
        if found is None:
            continue
        written, edits = found
        fix = edit_words(use, edits) if edits else None
        advice = "use `--omit=dev`" if edits else "use `--omit`/`--include`"
        yield Problem(
            use.step.line,
            f"`{written}` in `{use.text}` is deprecated; {advice}",
            end_line=use.step.end_line,
            fix=fix,
        )


RULE = Rule(
    id="NG204",
    name="deprecated-only-production",
    section=2,
    severity=Severity.INFO,
    summary="npm's deprecated `--only=production` / `--production` instead of `--omit=dev`",
    check=check,
    doc=__doc__,
    options=TodayOptions,
    fixable=True,
)
