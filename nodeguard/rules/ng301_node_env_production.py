"""The shipped Node.js image sets `NODE_ENV=production`.

## What it does
For a final image that runs Node.js (its `CMD`/`ENTRYPOINT` runs `node`, `npm`, `yarn`, `pnpm`, a
`.js` file or an entrypoint script on a Node.js image, or it has no command and builds on a Node.js
image), checks the `NODE_ENV` in force at the end of the final stage, parents included. It is fine
when it is `production`, written as `ENV NODE_ENV=production`, the legacy `ENV NODE_ENV production`,
`ENV NODE_ENV=$NODE_ENV` fed by an `ARG NODE_ENV=production` default, or set on the command itself
(`CMD ["env", "NODE_ENV=production", "node", "server.js"]`). It reports `NODE_ENV` unset or set to
another value; a value that comes from a build argument without a default cannot be judged and is
reported once, as info. A final stage that serves static files (nginx, caddy) is not judged, nor is a
development image: one whose process is a development server (`npm run dev`, `nodemon`, `next dev`,
`ng serve`, `vite`).

## Why
Express, React server rendering, Next.js and many libraries only switch on caching, compact logging
and their production code paths when `NODE_ENV=production`; Express renders stack traces to clients
otherwise. npm, yarn and pnpm also leave out devDependencies when it is set. An `ARG` only lives
during the build: the running container does not see it.

## Example
```dockerfile
FROM node:22-alpine
ENV NODE_ENV=development
CMD ["node", "server.js"]
```
Use instead:
```dockerfile
FROM node:22-alpine
ENV NODE_ENV=production
CMD ["node", "server.js"]
```

## Fix
When `NODE_ENV` is unset, or set to another value by an `ENV` of a parent stage, `--fix` adds
`ENV NODE_ENV=production` right after the final stage's `FROM`. When an `ENV` line of the final stage
sets only `NODE_ENV` to a literal value, `--fix` rewrites it to `ENV NODE_ENV=production`. A value
fed by a build argument is not rewritten: change the `ARG` default (or pass
`--build-arg NODE_ENV=production`).

Applicability: **unsafe**. With `NODE_ENV=production` npm and yarn skip devDependencies and many
frameworks change behaviour; the app may need a devDependency or a development setting at run time.
"""
from collections.abc import Iterator

from nodeguard.findings import Fix, Severity
from nodeguard.fix_builders import UNSAFE, insert_after
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image, Stage, Step, has_variables
from nodeguard.node.runtime import image_runs_node, process_commands, runs_dev_server
from nodeguard.rules.base import NoOptions, Problem, Rule

PRODUCTION = "production"
SET_PRODUCTION = "ENV NODE_ENV=production"


def declarations(stage: Stage, keyword: str) -> list[Step]:
    """The ``ENV``/``ARG`` steps of the stage's lineage that set NODE_ENV."""
    return [step for step in stage.steps_of(keyword)
            if any(key == "NODE_ENV" for key, _ in step.declared)]


def declares(stage: Stage, keyword: str) -> bool:
    return bool(declarations(stage, keyword))


def insert_after_from(stage: Stage) -> Fix:
    instruction = stage.from_instruction
    return insert_after(instruction, [SET_PRODUCTION], UNSAFE)


def rewrite_fix(stage: Stage, step: Step) -> Fix | None:
    """Rewrite a one-line, one-pair ENV of the final stage with a literal value; else insert after FROM."""
    if step.stage_index != stage.index:
        return insert_after_from(stage)
    pairs = step.declared
    written = pairs[0][1] or ""
    if len(pairs) != 1 or has_variables(written) or step.line != step.end_line:
        return None
    return Fix(step.line, step.end_line, step.instruction.indent + SET_PRODUCTION, UNSAFE)


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterator[Problem]:
    final = image.final
    if final is None or not image_runs_node(image, context) or runs_dev_server(image, context):
        return
    if any(command.assignments.get("NODE_ENV") == PRODUCTION for command in process_commands(final)):
        return
    value = final.env.get("NODE_ENV")
    if value == PRODUCTION:
        return
    setting = declarations(final, "ENV")
    step = setting[-1] if setting else None
    if step is None:
        anchor = final.from_instruction
        hint = " (an ARG only exists during the build)" if declares(final, "ARG") else ""
        yield Problem(
            anchor.start_line,
            f"NODE_ENV is not set in the final image{hint}, so Node.js libraries run their development "
            f"code paths; add `{SET_PRODUCTION}`",
            end_line=anchor.end_line,
            fix=insert_after_from(final),
        )
    elif value is not None and has_variables(value):
        yield Problem(
            step.line,
            f"NODE_ENV is `{value}`, a build argument without a default: cannot tell whether the image runs "
            f"in production; give it one (`ARG NODE_ENV=production`)",
            end_line=step.end_line,
            severity=Severity.INFO,
        )
    else:
        yield Problem(
            step.line,
            f"NODE_ENV is `{value}` in the final image, so Node.js libraries run their non-production code "
            f"paths; set `{SET_PRODUCTION}`",
            end_line=step.end_line,
            fix=rewrite_fix(final, step),
        )


RULE = Rule(
    id="NG301",
    name="node-env-production",
    section=3,
    severity=Severity.WARNING,
    strict_severity=Severity.ERROR,
    summary="NODE_ENV is not `production` in the shipped Node.js image",
    check=check,
    doc=__doc__,
    fixable=True,
)
