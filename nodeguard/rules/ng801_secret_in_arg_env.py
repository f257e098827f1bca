"""Secret-looking `ARG` and `ENV` names in the shipped image.

## What it does
Reports an `ARG` or `ENV` of the final stage, or of a stage it is built `FROM`, whose name looks like a
secret. Names are matched as BuildKit's `SecretsUsedInArgOrEnv` check matches them: one of the words
`token`, `secret`, `password`, `passwd`, `pword`, `key`, `apikey`, `auth`, `credential(s)` is the whole
name or a `_`-separated word of it (`NPM_TOKEN`, `DB_PASSWORD`, `API_KEY`), unless a word such as
`public`, `file` or `version` says otherwise (`NEXT_PUBLIC_KEY`, `KEY_FILE`). Trivy's DS-0031 names
and the npm ones count too (`AWS_ACCESS_KEY_ID`, `AZURE_CLIENT_ID`, `GITHUB_TOKEN`, `NODE_AUTH_TOKEN`,
`NPM_CONFIG__AUTH`, `YARN_NPM_AUTH_TOKEN`).

Stages the final image only copies files from are not reported: their `ARG`s and `ENV`s do not reach
the final image's config or history. An `ENV` set to an empty value is a placeholder and is not
reported either, nor one whose literal value is plainly configuration: a number (`TOKEN_TTL=3600`), a
boolean (`ENABLE_AUTH=true`), a duration (`JWT_SECRET_EXPIRES_IN=7d`), a URL without credentials
(`AUTH_URL=https://id.example.com/`), or a list of names (`AUTH_PROVIDERS=credentials,github`), unless
the name ends in a credential noun (`DB_PASSWORD=postgres` and `NPM_TOKEN=1234` are credentials, whatever
they look like). A
value that comes from a build argument (`ENV NPM_TOKEN=$NPM_TOKEN`), and every `ARG`, is reported.

One token is one finding: an `ARG` that an `ENV` copies (`ENV NPM_TOKEN=$NPM_TOKEN`) is that `ENV`'s
finding, which names the argument; an `ARG` whose value a `RUN` writes into an `.npmrc` is NG802's finding
(which names the argument); and an install that reads the `ARG` as its registry token is named in this
finding instead of being NG1002's.

## Why
Every `RUN` after an `ARG` records the argument's value in the image history: `docker history` shows
`RUN |1 NPM_TOKEN=npm_abc… /bin/sh -c npm ci`. An `ENV` is worse: its value is stored in the image
config, so anyone who can pull the image reads it with `docker inspect`, and every container started
from it has the secret in its environment.

## Example
```dockerfile
FROM node:22-alpine
ARG NPM_TOKEN
ENV API_KEY=abc123
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci --omit=dev
```
Use instead:
```dockerfile
# syntax=docker/dockerfile:1
FROM node:22-alpine
RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci --omit=dev
```
with an `.npmrc` that holds `//registry.npmjs.org/:_authToken=${NPM_TOKEN}`, built with
`docker build --secret id=npm_token,env=NPM_TOKEN .`. The message puts the mount on the command that
reads the secret when a `RUN` refers to it (`curl … license_key=${MAXMIND_APIKEY}` gets
`RUN --mount=type=secret,id=maxmind_apikey,env=MAXMIND_APIKEY curl …`), on the install for an npm token,
and on a `<command>` otherwise (the `env=` option needs dockerfile 1.10 or later; before it, the secret
is read from `/run/secrets/<id>`). Runtime secrets (`API_KEY`) are given to the
container when it starts (`docker run -e`, a Kubernetes Secret), never baked into the image.

## Fix
No automatic fix: move the secret to a secret mount (build time) or to the container's environment
(run time). A build-time `ARG` in a build stage whose output is copied is fine (NG1002 still prefers a
secret mount for registry tokens).
"""
import re
from collections.abc import Iterable, Iterator

from nodeguard.findings import Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image, Step, has_variables, variable_names
from nodeguard.node.credentials import (
    credential_writes,
    install_token_arguments,
    is_npm_token_name,
    token_arguments_written,
    uses_secret_mount,
)
from nodeguard.node.packages import classify_install, is_secret_name
from nodeguard.patterns import LazyPattern
from nodeguard.rules.base import NoOptions, Problem, Rule


def mount_advice(name: str, readers: list[tuple[Step, str]], install: str | None = None) -> str:
    """The secret-mount form for ``name``: on the command that reads it when the steps tell (``readers``:
    each RUN and the program of it that refers to the variable; ``install``: an install that reads it as
    its registry token), an install for an npm token, else a generic command."""
    mount = f"RUN --mount=type=secret,id={name.lower()},env={name}"
    if install is not None:
        return f"`{mount} {install}`"
    if readers:
        return f"`{mount} {readers[0][1]} …`"
    if is_npm_token_name(name):
        return f"`{mount} {'yarn install --immutable' if name.upper().startswith('YARN_') else 'npm ci'}`"
    return f"`{mount} <command>` (`env=` needs dockerfile 1.10 or later; before, read `/run/secrets/{name.lower()}`)"


def readers_note(readers: list[tuple[Step, str]]) -> str:
    """``curl` on line 15 reads it``: the RUN steps that refer to the variable."""
    named = " and ".join(f"`{program}` on line {step.line}" for step, program in readers)
    return f"{named} read{'s' if len(readers) == 1 else ''} it"


_NUMBER = LazyPattern(r"[+-]?\d+(?:\.\d+)?")
_BOOLEAN = frozenset({"true", "false", "yes", "no", "on", "off", "enabled", "disabled", "none", "null"})
_DURATION = LazyPattern(r"(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w|y|sec|secs|min|mins|hours?|days?|weeks?))+", re.IGNORECASE)
_URL = LazyPattern(r"[a-z][a-z0-9+.-]*://(?P<authority>[^/?#]*)(?P<rest>.*)", re.IGNORECASE)
_NAME_LIST = LazyPattern(r"[a-z][a-z0-9_.-]*(?:\s*[,;| ]\s*[a-z][a-z0-9_.-]*)*")
# The last word of a name that holds a credential whatever its shape (`DB_PASSWORD=postgres` is a password).
_CREDENTIAL_NOUN = LazyPattern(r"(?:^|_)(?:PASSWORD|PASSWD|PWD|PWORD|SECRET|TOKEN|KEY|APIKEY|CREDENTIALS?|PIN)$",
                               re.IGNORECASE)


def is_configuration(name: str, value: str) -> bool:
    """A literal that is plainly configuration, not a credential: a number, a boolean, a duration, a URL
    without credentials, or a list of names; never for a name whose last word is a credential noun."""
    text = value.strip()
    if has_variables(text) or _CREDENTIAL_NOUN.search(name):
        return False
    if _NUMBER.fullmatch(text) or text.lower() in _BOOLEAN or _DURATION.fullmatch(text):
        return True
    url = _URL.fullmatch(text)
    if url:
        return "@" not in url.group("authority") and not re.search(r"(?i)[?&](?:token|key|secret|password)=", url.group("rest"))
    return bool(_NAME_LIST.fullmatch(text))


def describe(keyword: str, name: str, value: str | None, mount: str) -> str | None:
    """What is wrong with this ARG/ENV of a secret-looking name, or None when nothing leaks; ``mount`` is
    the secret-mount form to use instead."""
    if keyword == "ENV":
        if not value or is_configuration(name, value):
            return None
        if has_variables(value):
            return (f"`ENV {name}` copies a secret into the image config, where `docker inspect` shows it to "
                    f"anyone who pulls the image; pass it when the container starts, or at build time use a "
                    f"secret mount: {mount}")
        return (f"`ENV {name}` bakes a literal secret into the image config, where `docker inspect` shows it "
                f"to anyone who pulls the image (and it sits in the Dockerfile); pass it when the container "
                f"starts, or at build time use a secret mount: {mount}")
    default = " and its default value is written in the Dockerfile" if value else ""
    return (f"build argument `{name}` looks like a secret: its value is recorded in the image history "
            f"(`docker history` shows it on every later RUN){default}; use a secret mount instead: {mount}")


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterator[Problem]:
    stage = image.final
    if stage is None:
        return
    steps = stage.all_steps()
    written = {name for step in steps if step.keyword == "RUN" and not _mounts_and_removes(step)
               for name in token_arguments_written(step)}
    arguments = {name: value for step in steps if step.keyword == "ARG" for name, value in step.declared
                 if is_secret_name(name)}
    copied = _copied_into_env(steps, arguments)
    for step in steps:
        if step.keyword not in ("ARG", "ENV"):
            continue
        for name, value in step.declared:
            if not is_secret_name(name) or (step.keyword == "ARG" and (name in written or name in copied)):
                continue  # NG802's finding (a token written into an rc file), or the ENV's that copies it
            install = _install_reading(image, context, steps, name) if step.keyword == "ARG" else None
            readers = [] if install is not None else _readers(steps, step, name)
            mount = mount_advice(name, readers, " ".join(install[1]) if install else None)
            message = describe(step.keyword, name, value, mount)
            if message is None:
                continue
            if install is not None:
                message += f"; `{' '.join(install[1])}` on line {install[0].line} reads it as its registry token"
            elif readers:
                message += f"; {readers_note(readers)}"
            if step.keyword == "ENV":
                message += _source_note(value or "", arguments)
            yield Problem(step.line, message, end_line=step.end_line)


def _copied_into_env(steps: Iterable[Step], arguments: dict[str, str | None]) -> set[str]:
    """The secret-looking ARGs that an ENV of a secret-looking name copies: that ENV's finding names them."""
    return {variable for step in steps if step.keyword == "ENV" for name, value in step.declared
            if value and is_secret_name(name) and describe("ENV", name, value, "") is not None
            for variable in variable_names(value) if variable in arguments}


def _source_note(value: str, arguments: dict[str, str | None]) -> str:
    """The build arguments an ENV copies, which are not reported on their own (one secret, one finding)."""
    notes = []
    for variable in dict.fromkeys(name for name in variable_names(value) if name in arguments):
        default = " (its default value is written in the Dockerfile)" if arguments[variable] else ""
        notes.append(f"build argument `{variable}`{default}")
    return f"; the value comes from {', '.join(notes)}, which is not reported again" if notes else ""


def _mounts_and_removes(step: Step) -> bool:
    """NG802 leaves alone a RUN that mounts its secret and deletes the file it wrote."""
    writes = credential_writes(step.commands)
    return bool(writes) and writes[0].removed_in_same_run and uses_secret_mount(step)


def _install_reading(image: Image, context: BuildContext, steps: Iterable[Step],
                     name: str) -> tuple[Step, tuple[str, ...]] | None:
    """The first install that reads this ARG as its registry token (NG1002 then stays silent)."""
    for step in steps:
        if step.keyword != "RUN" or uses_secret_mount(step):
            continue
        for command in step.commands:
            install = classify_install(command.argv)
            if install is None or install.kind not in ("install", "ci"):
                continue
            stage = image.stages[step.stage_index]
            if name in install_token_arguments(stage, step, install.manager, context):
                return step, command.argv
    return None


def _readers(steps: Iterable[Step], declared: Step, name: str) -> list[tuple[Step, str]]:
    """The RUN steps after ``declared`` that refer to the variable, each with the program of its first
    command that does (in a word or a ``VAR=`` prefix)."""
    found = []
    after = False
    for step in steps:
        after = after or step is declared
        if not after or step.keyword != "RUN" or uses_secret_mount(step):
            continue
        for command in step.commands:
            words = (*command.argv, *command.assignments.values())
            if command.argv and any(name in variable_names(word) for word in words):
                found.append((step, command.argv[0]))
                break
    return found


RULE = Rule(
    id="NG801",
    name="secret-in-arg-env",
    section=8,
    severity=Severity.ERROR,
    summary="Secret-looking ARG or ENV in the shipped image",
    check=check,
    doc=__doc__,
)
