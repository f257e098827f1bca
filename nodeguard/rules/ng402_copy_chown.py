"""Files copied into an image that runs as a non-root user are owned by that user (`--chown`).

## What it does
When the final image runs as a non-root user (its last `USER`, or the default user of a base image
known to be non-root), reports every `COPY` and `ADD` of the final stage and its parents, `COPY
--from=<stage>` included, that has no `--chown`: those files belong to root. Copies of programs and
system files are left alone: destinations under `/usr/bin`, `/usr/lib`, `/usr/share`, `/usr/local/bin` and
the like (not the app's `/usr/src/app`), `/bin`, `/sbin`, `/lib`, `/etc`, `/var/lib`,
an init binary (`/tini`) and shell scripts. So are copies of only the manifest, lockfiles and
package-manager settings (`COPY package*.json ./`: the install reads them as root and the app never
writes them), and copies whose destination a later `RUN chown -R <user> <folder>` hands to the user.
The copies of one stage are judged together: one finding, at the first, naming the others, and none
when another copy of that stage already gives the user its files (`COPY --chown=nextjs:nodejs
.next/standalone ./` beside `COPY public ./public`: what is left root-owned is only read). An image that runs as root
is NG401's concern, not this rule's.

Keeping the app's code owned by root and read-only for the user it runs as is a legitimate choice,
and a hardening one: a compromised process cannot rewrite its own code. If that is your intent, give
the app a writable folder of its own (`RUN mkdir /app/data && chown node /app/data`, or a volume) and
turn this rule off in the policy.

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

Applicability: **safe** for a numeric owner (`1000:1000`); **unsafe** for a user name, which the
build resolves when the `COPY` runs: a user created later in the Dockerfile fails the build.
"""
import posixpath
import re
from collections.abc import Iterable, Iterator

from nodeguard.findings import Fix, Severity
from nodeguard.fix_builders import SAFE, UNSAFE, add_flag
from nodeguard.model.context import BuildContext
from nodeguard.model.copies import Copy, absolute, copy_at, lineage_copies
from nodeguard.model.image import Image, Stage, Step, has_variables
from nodeguard.node.images import describe_node_image
from nodeguard.node.packages import INSTALL_INPUTS
from nodeguard.node.runtime import drops_privileges, is_root, is_system_destination, user_name
from nodeguard.rules.base import NoOptions, Problem, Rule


def runtime_user(stage: Stage) -> str | None:
    """The non-root user the image runs as, or None (root, unknown, unresolved, switched at run time)."""
    user = stage.user
    if user is None:
        ref = stage.root_base
        facts = None if ref.unresolved or ref.is_scratch else describe_node_image(ref)
        user = facts.default_user if facts is not None and facts.runs_as_root is False else None
    if user is None or has_variables(user) or is_root(user) or drops_privileges(stage):
        return None
    return user


def chown_value(copies: list[Copy], user: str) -> str:
    """The owner to write: one the Dockerfile already gives this user, ``node:node`` on the official image,
    else the user as written (Docker then takes the user's uid as the group id, so no group can be missing)."""
    name = user_name(user)
    for copy in copies:
        if copy.chown and copy.owner is not None and user_name(copy.owner) == name:
            return copy.chown
    if ":" in user or name != "node":
        return user
    return "node:node"


def chown_fix(step: Step, owner: str) -> Fix | None:
    # A name must exist in the image when the COPY runs (a user created later fails the build); ids cannot fail.
    numeric = re.fullmatch(r"[0-9]+(?::[0-9]+)?", owner) is not None
    return add_flag(step.instruction, f"--chown={owner}", SAFE if numeric else UNSAFE)


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterator[Problem]:
    final = image.final
    if final is None:
        return
    user = runtime_user(final)
    if user is None:
        return
    lineage = lineage_copies(image, final.index)
    owner = chown_value(lineage, user)
    steps = final.all_steps()
    unowned: dict[int, list] = {}  # stage index -> [(step, target)] of the copies that leave root-owned app files
    for position, step in enumerate(steps):
        copy = copy_at(image, step)
        if copy is None or copy.chown is not None:
            continue
        target = copy.target
        if is_system_destination(target) or _only_install_inputs(copy) or _only_scripts(copy):
            continue
        if _chowned_later(steps[position + 1:], target, user):
            continue
        unowned.setdefault(step.stage_index, []).append((step, target))
    owning = {copy.step.stage_index for copy in lineage if _owned_by(copy, user)}
    for stage_index, copies in unowned.items():
        if stage_index in owning:
            continue  # the stage's code copy gives the user its files: the rest (public/, assets) are only read
        (step, target), others = copies[0], copies[1:]
        also = ""
        if others:
            lines = ", ".join(str(other.line) for other, _ in others)
            also = f" (as do the copies on line{'s' if len(others) > 1 else ''} {lines} of this stage)"
        yield Problem(
            step.line,
            f"{step.keyword} writes `{target}` as root while the image runs as `{user}`{also}, so the app cannot "
            f"change its own files; add `--chown={owner}` (or keep the code root-owned and read-only on purpose, "
            f"and give the app a writable folder of its own)",
            end_line=step.end_line,
            fix=chown_fix(step, owner),
        )


def _owned_by(copy: Copy, user: str) -> bool:
    return copy.owner is not None and user_name(copy.owner) == user_name(user)


def _only_install_inputs(copy: Copy) -> bool:
    """A copy of package.json, lockfiles and package-manager settings only (`COPY package*.json ./`)."""
    return all(_is_install_input(posixpath.basename(source.rstrip("/"))) for source in copy.sources)


def _only_scripts(copy: Copy) -> bool:
    """A copy of shell scripts only (`COPY scripts/*.sh /tmp/`): programs, like an init binary."""
    return all(source.endswith(".sh") for source in copy.sources)


def _is_install_input(name: str) -> bool:
    return name in INSTALL_INPUTS or bool(re.fullmatch(r"package[^/]*\.json", name))


def _chowned_later(steps: Iterable[Step], target: str, user: str) -> bool:
    """A later `RUN chown -R <user> <folder>` covers `target`, so the copy's owner does not last."""
    for step in steps:
        if step.keyword != "RUN":
            continue
        for command in step.commands:
            if command.program != "chown":
                continue
            words = [step.expand(word) for word in command.argv[1:]]
            options = [word for word in words if word.startswith("-")]
            operands = [word for word in words if not word.startswith("-")]
            recursive = any(option == "--recursive" or (not option.startswith("--") and "R" in option)
                            for option in options)
            if not recursive or len(operands) < 2 or user_name(operands[0]) != user_name(user):
                continue
            for path in operands[1:]:
                folder = absolute(path, step.workdir).rstrip("/") or "/"
                if target == folder or target.startswith(folder.rstrip("/") + "/"):
                    return True
    return False


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
