"""The shipped image does not run as root.

## What it does
Finds the user the final image runs as: the last `USER` of the final stage or its parents, or, when
there is none, the default user of its base image. It reports:
- no `USER` at all on a base image that starts as root (`node`, `alpine`, `debian`, scratch) or that
  nodeguard does not know;
- a last `USER` that is root: `USER root`, `USER 0`, `USER 0:0`, `USER root:root`, or `USER $NAME`
  resolving to one of them, including a `USER root` after an earlier `USER node`.

Base images known to run as non-root (distroless `:nonroot`, Chainguard, Red Hat UBI,
nginx-unprivileged) pass without a `USER`. A container whose command drops privileges itself
(`gosu`, `su-exec`, `setpriv`...) passes too, and so does an entrypoint script (`*.sh`) in an image
that installs one of them: the docker-library pattern, `exec gosu node "$@"` in docker-entrypoint.sh. A `USER` that depends on a build argument without a
default cannot be judged and is reported once, as info.

## Why
If an attacker gets command execution through your app (a command injection, a path traversal, a
vulnerable dependency), they act as the user of the process. As root they can read and change
everything in the container, install tools, and they are one kernel or runtime bug away from the host.
The official node images ship a `node` user (uid 1000) for exactly this.

## Example
```dockerfile
FROM node:22-alpine
WORKDIR /app
COPY . .
CMD ["node", "server.js"]
```
Use instead:
```dockerfile
FROM node:22-alpine
WORKDIR /app
COPY --chown=node:node . .
USER node
CMD ["node", "server.js"]
```

## Fix
On an official `node` image with no `USER` at all, `--fix` adds `USER node` before the final stage's
`CMD`/`ENTRYPOINT` (or at the end of the stage when a `RUN` comes after them). A last `USER root` is
not changed automatically: it is often there for a step that follows; switch back to a non-root user
after that step.

Applicability: **unsafe**. The app may need root at run time (binding a port below 1024, mounting a
filesystem, writing under `/etc`), which no Dockerfile shows.
"""
from collections.abc import Iterator

from nodeguard.findings import Fix, Severity
from nodeguard.fix_builders import UNSAFE, insert_after, insert_before
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image, Stage, Step, has_variables
from nodeguard.node.images import NodeImageFacts, describe_node_image
from nodeguard.node.runtime import drops_privileges, is_root
from nodeguard.rules.base import NoOptions, Problem, Rule

SWITCH = "USER node"


def base_facts(stage: Stage) -> NodeImageFacts | None:
    ref = stage.root_base
    return None if ref.unresolved or ref.is_scratch else describe_node_image(ref)


def add_user_fix(stage: Stage) -> Fix:
    own = stage.steps
    for index, step in enumerate(own):
        if step.keyword in ("CMD", "ENTRYPOINT") and not any(later.keyword == "RUN" for later in own[index:]):
            return insert_before(step.line, [SWITCH], UNSAFE)
    return insert_after(own[-1].instruction if own else stage.from_instruction, [SWITCH], UNSAFE)


def no_user_problem(stage: Stage) -> Problem | None:
    facts = base_facts(stage)
    if facts is not None and facts.runs_as_root is not True:
        return None  # known non-root, or not known for sure
    ref = stage.root_base
    official = facts is not None and facts.family == "node"
    why = "starts as root" if facts is not None or ref.is_scratch else "is not known to run as non-root"
    advice = f"add `{SWITCH}` (the official image has that user)" if official else "add a `USER` with a non-root user"
    anchor = stage.from_instruction
    return Problem(
        anchor.start_line,
        f"the final image runs as root: there is no USER in it or its parents and `{ref.raw}` {why}; {advice}",
        end_line=anchor.end_line,
        fix=add_user_fix(stage) if official else None,
    )


def set_user(step: Step) -> str:
    """The user a USER step switches to (``step.user`` is the one before it)."""
    return step.switches_to or ""


def root_user_problem(stage: Stage) -> Problem:
    step = stage.user_step
    assert step is not None  # the user comes from a USER step
    earlier = [set_user(s) for s in stage.steps_of("USER") if s.line < step.line and not is_root(set_user(s))]
    after = f" after `USER {earlier[-1]}`" if earlier else ""
    return Problem(
        step.line,
        f"the final image runs as root: `{step.instruction.first_line}` is the last USER{after}; "
        f"switch back to a non-root user (e.g. `{SWITCH}`) once the steps that need root are done",
        end_line=step.end_line,
    )


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterator[Problem]:
    final = image.final
    if final is None or drops_privileges(final):
        return
    user = final.user
    if user is None:
        problem = no_user_problem(final)
        if problem is not None:
            yield problem
    elif has_variables(user):
        step = final.user_step
        assert step is not None  # the user comes from a USER step
        yield Problem(
            step.line,
            f"`USER {user}` depends on a build argument without a default: cannot tell whether the image runs as root",
            end_line=step.end_line,
            severity=Severity.INFO,
        )
    elif is_root(user):
        yield root_user_problem(final)


RULE = Rule(
    id="NG401",
    name="non-root-user",
    section=4,
    severity=Severity.ERROR,
    summary="The shipped image runs as root",
    check=check,
    doc=__doc__,
    fixable=True,
)
