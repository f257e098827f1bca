"""Files copied into an image that runs as a non-root user are owned by that user (`--chown`).

## What it does
When the final image runs as a non-root user (its last `USER`, or the default user of a base image
known to be non-root), reports every `COPY` and `ADD` of the final stage and its parents, `COPY
--from=<stage>` included, that has no `--chown`: those files belong to root. Copies of programs and
system files are left alone: destinations under `/usr`, `/bin`, `/sbin`, `/lib`, `/etc`, `/var/lib`,
an init binary (`/tini`) and shell scripts. An image that runs as root is NG401's concern, not this
rule's.

## Why
`USER node` only decides who runs the process; `COPY` always writes files as root. The app then
cannot write its cache, uploads or logs next to its code, and the usual workaround, a `RUN chown -R`
afterwards, copies every file again into a new layer and doubles the image's size. `--chown` sets the
owner in the same layer, as the cheat sheet's final Dockerfile does.

## Example
```dockerfile
FROM node:22-alpine
WORKDIR /usr/src/app
COPY --from=build /usr/src/app/node_modules ./node_modules
COPY . .
USER node
```
Use instead:
```dockerfile
FROM node:22-alpine
WORKDIR /usr/src/app
COPY --chown=node:node --from=build /usr/src/app/node_modules ./node_modules
COPY --chown=node:node . .
USER node
```

## Fix
`--fix` adds `--chown=...` right after `COPY`/`ADD`, for the user the image runs as: the value another
`COPY` of the image already gives that user (`--chown=nextjs:nodejs`), else `node:node` for the
official image's `node` user, else the `USER` as written (`--chown=1000:1000`, `--chown=app`: Docker
then uses the user's uid as the group id, so the build cannot fail on a missing group).
"""
import posixpath
import re
import shlex

from nodeguard.findings import Fix, Severity
from nodeguard.model.image import has_variables
from nodeguard.node.images import describe_node_image
from nodeguard.node.runtime import drops_privileges, is_root, is_system_destination, user_name
from nodeguard.rules.base import Problem, Rule

_KEYWORD = re.compile(r"\s*(?:COPY|ADD)\b", re.IGNORECASE)


def runtime_user(stage) -> str | None:
    """The non-root user the image runs as, or None (root, unknown, unresolved, switched at run time)."""
    user = stage.user
    if user is None:
        ref = stage.root_base
        facts = None if ref.unresolved or ref.is_scratch else describe_node_image(ref)
        user = facts.default_user if facts is not None and facts.runs_as_root is False else None
    if user is None or has_variables(user) or is_root(user) or drops_privileges(stage):
        return None
    return user


def chown_value(stage, user: str) -> str:
    """The owner to write: one the Dockerfile already gives this user, ``node:node`` on the official image,
    else the user as written (Docker then takes the user's uid as the group id, so no group can be missing)."""
    name = user_name(user)
    for step in stage.all_steps():
        written = step.instruction.flag("chown") if step.keyword in ("COPY", "ADD") else None
        if written and user_name(step.expand(written)) == name:
            return written
    if ":" in user or name != "node":
        return user
    return "node:node"


def destination(step) -> str | None:
    if step.instruction.json_args is not None:
        words = list(step.instruction.json_args)
    else:
        try:
            words = shlex.split(step.instruction.args)
        except ValueError:
            return None
    if len(words) < 2:
        return None
    target = step.expand(words[-1])
    return posixpath.normpath(posixpath.join(step.workdir, target))


def chown_fix(step, owner: str) -> Fix | None:
    first = step.instruction.original.split("\n", 1)[0]
    keyword = _KEYWORD.match(first)
    if keyword is None:
        return None
    return Fix(step.line, step.line, f"{first[:keyword.end()]} --chown={owner}{first[keyword.end():]}")


def check(image, context, options):
    final = image.final
    user = None if final is None else runtime_user(final)
    if user is None:
        return
    owner = chown_value(final, user)
    for step in final.all_steps():
        if step.keyword not in ("COPY", "ADD") or step.instruction.flag("chown") is not None:
            continue
        target = destination(step)
        if target is None or is_system_destination(target):
            continue
        yield Problem(
            step.line,
            f"{step.keyword} writes `{target}` as root while the image runs as `{user}`, so the app cannot "
            f"change its own files; add `--chown={owner}`",
            end_line=step.end_line,
            fix=chown_fix(step, owner),
        )


RULE = Rule(
    id="NG402",
    name="copy-chown",
    section=4,
    severity=Severity.WARNING,
    summary="COPY/ADD without --chown in an image that runs as a non-root user",
    check=check,
    doc=__doc__,
    fixable=True,
)
