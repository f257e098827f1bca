"""The image a Dockerfile builds: stages, what each inherits, and the state in force at every step."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from nodeguard.model.instructions import Instruction, ParsedDockerfile
from nodeguard.model.parse import json_string_array, key_values, read_word
from nodeguard.model.shell import Command, split_commands
from nodeguard.model.reference import ImageRef, parse_image_ref
from nodeguard.record import Record

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from typing import Any

SHELL_PROGRAMS = frozenset({"sh", "bash", "ash", "dash", "zsh"})
_VARIABLE = re.compile(r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-+])?(?P<word>(?:[^${}]|\$\{[^}]*\}|\$(?!\{))*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))")


def expand(text: str, variables: Mapping[str, str | None]) -> str:
    """Substitute ``$VAR``, ``${VAR}``, ``${VAR:-default}`` and ``${VAR:+alt}`` as BuildKit does.

    A variable with no known value is left as written, so that callers can tell it is unresolved.
    """

    def substitute(match: re.Match[str]) -> str:
        name = match.group("braced") or match.group("plain")
        value = variables.get(name)
        op, word = match.group("op"), match.group("word") or ""
        if op in (":-", "-"):
            if value is None or (op == ":-" and value == ""):
                return expand(word, variables)
            return value
        if op in (":+", "+"):
            return expand(word, variables) if value else ""
        return match.group(0) if value is None else value

    return _VARIABLE.sub(substitute, text) if "$" in text else text


def shell_word(text: str, variables: Mapping[str, str | None], escape: str = "\\") -> str:
    """One word as BuildKit's shell lexer reads it (``ProcessWord``): quotes removed, escapes resolved with the
    file's escape character, variables substituted outside single quotes. White space stays in the word:
    BuildKit splits ``COPY`` words at white space before it reads each one, so ``COPY "a b" ./`` is two
    words to it. An unterminated quote, which fails the build, reads to the end of the word."""
    return read_word(text, escape, lambda part: expand(part, variables))


def has_variables(text: str) -> bool:
    return bool(_VARIABLE.search(text))


def variable_names(text: str) -> list[str]:
    """The variables ``text`` refers to (``$A``, ``${B}``, ``${C:-x}``), in order."""
    return [match.group("braced") or match.group("plain") for match in _VARIABLE.finditer(text)]


class Mount(Record):
    """One ``RUN --mount=...``: its type (``bind`` when none is given) and its options as written."""

    kind: str  # bind, cache, tmpfs, secret, ssh
    options: tuple[tuple[str, str], ...]  # (name, value) in order; a bare name has the value ""

    def __init__(self, kind: str, options: tuple[tuple[str, str], ...]) -> None:
        self.__dict__.update(kind=kind, options=options)

    @classmethod
    def read(cls, value: str) -> Mount:
        """``type=secret,id=npmrc,target=/root/.npmrc`` (the flag's value) as a mount."""
        options = tuple((name, option) for name, _, option in (part.partition("=") for part in value.split(",")))
        return cls(dict(options).get("type", "bind"), options)

    def option(self, *names: str) -> str | None:
        """The value of the first of ``names`` that is given (``source`` or ``src``), else None."""
        given = dict(self.options)
        return next((given[name] for name in names if name in given), None)


class Step(Record):
    """One instruction of a stage, with the state in force when it runs."""

    instruction: Instruction
    stage_index: int
    env: Mapping[str, str]  # ENV in force (inherited from parent stages included)
    args: Mapping[str, str | None]  # ARG values in force (None: declared without a value)
    user: str | None  # USER in force; None means the base image's default user
    workdir: str
    commands: tuple[Command, ...]  # RUN: the simple commands of its script
    declared: tuple[tuple[str, str | None], ...]  # ENV/ARG/LABEL: its pairs, read with the file's escape
    escape: str  # the file's escape character (the ``# escape=`` directive)

    def __init__(
        self,
        instruction: Instruction,
        stage_index: int,
        env: Mapping[str, str],
        args: Mapping[str, str | None],
        user: str | None,
        workdir: str,
        commands: tuple[Command, ...] = (),
        declared: tuple[tuple[str, str | None], ...] = (),
        escape: str = "\\",
    ) -> None:
        self.__dict__.update(
            instruction=instruction,
            stage_index=stage_index,
            env=env,
            args=args,
            user=user,
            workdir=workdir,
            commands=commands,
            declared=declared,
            escape=escape,
        )

    @property
    def keyword(self) -> str:
        return self.instruction.keyword

    @property
    def line(self) -> int:
        return self.instruction.start_line

    @property
    def end_line(self) -> int:
        return self.instruction.end_line

    def expand(self, text: str) -> str:
        return expand(text, {**self.args, **self.env}) if "$" in text else text

    def word(self, text: str) -> str:
        """``text`` as BuildKit reads one word of this step: quotes and escapes resolved, variables substituted."""
        if "$" not in text:  # nothing to substitute: no need to gather the variables in force
            return read_word(text, self.escape)
        return shell_word(text, {**self.args, **self.env}, self.escape)

    @property
    def mounts(self) -> tuple[Mount, ...]:
        """RUN: its ``--mount`` options, in order; other instructions: none."""
        if self.keyword != "RUN":
            return ()
        return tuple(Mount.read(flag[len("--mount="):]) for flag in self.instruction.flags if flag.startswith("--mount="))

    @property
    def switches_to(self) -> str | None:
        """USER: the user it switches to, as BuildKit reads the word (variables substituted); else None."""
        if self.keyword != "USER":
            return None
        return self.word(self.instruction.args)

    @property
    def script(self) -> str:
        """RUN: the shell script as written, its heredoc bodies after it (the exec form: the script of its
        ``sh -c``, else its words joined by blanks); other instructions: ""."""
        if self.keyword != "RUN":
            return ""
        argv = self.instruction.json_args
        if argv is not None:
            script = _shell_script_of(argv)
            return script if script is not None else " ".join(argv)
        return self.instruction.args + "".join(heredoc.body for heredoc in self.instruction.heredocs)


class Stage(Record, frozen=False):
    """One build stage: its FROM, its base image and the steps that follow."""

    _uncompared = ("derived",)

    index: int
    name: str | None
    from_instruction: Instruction
    base: ImageRef  # as written, global ARGs substituted
    written_base: str  # the image word of FROM exactly as written (``node:${NODE_VERSION}``), "" when none
    parent: Stage | None  # the earlier stage named in FROM, if any
    steps: list[Step]
    env: dict[str, str]  # at the end of the stage
    user: str | None
    user_step: Step | None  # the USER instruction that set ``user`` (possibly in a parent stage)
    workdir: str
    entrypoint: Instruction | None  # in force at the end (possibly inherited)
    cmd: Instruction | None
    derived: dict[str, Any]  # views computed once

    def __init__(
        self,
        index: int,
        name: str | None,
        from_instruction: Instruction,
        base: ImageRef,
        written_base: str,
        parent: Stage | None,
        steps: list[Step] | None = None,
        env: dict[str, str] | None = None,
        user: str | None = None,
        user_step: Step | None = None,
        workdir: str = "/",
        entrypoint: Instruction | None = None,
        cmd: Instruction | None = None,
        derived: dict[str, Any] | None = None,
    ) -> None:
        self.__dict__.update(
            index=index,
            name=name,
            from_instruction=from_instruction,
            base=base,
            written_base=written_base,
            parent=parent,
            steps=[] if steps is None else steps,
            env={} if env is None else env,
            user=user,
            user_step=user_step,
            workdir=workdir,
            entrypoint=entrypoint,
            cmd=cmd,
            derived={} if derived is None else derived,
        )

    @property
    def label(self) -> str:
        return self.name or str(self.index)

    def lineage(self) -> list[Stage]:
        """The stages this one builds on, root first, itself last."""
        chain: list[Stage] = []
        stage: Stage | None = self
        while stage is not None:
            chain.append(stage)
            stage = stage.parent
        return chain[::-1]

    @property
    def root_base(self) -> ImageRef:
        """The external image at the bottom of the lineage."""
        return self.lineage()[0].base

    def all_steps(self) -> list[Step]:
        """Every step that makes up this stage's filesystem and config: parents' first."""
        return [step for stage in self.lineage() for step in stage.steps]

    def steps_of(self, keyword: str) -> list[Step]:
        return [step for step in self.all_steps() if step.keyword == keyword]


class Image(Record, frozen=False):
    """A Dockerfile as stages, with its global ARGs."""

    _uncompared = ("derived",)

    path: str
    parsed: ParsedDockerfile
    global_args: dict[str, str | None]
    stages: list[Stage]
    derived: dict[str, Any]  # views computed once

    def __init__(
        self,
        path: str,
        parsed: ParsedDockerfile,
        global_args: dict[str, str | None],
        stages: list[Stage],
        derived: dict[str, Any] | None = None,
    ) -> None:
        self.__dict__.update(
            path=path,
            parsed=parsed,
            global_args=global_args,
            stages=stages,
            derived={} if derived is None else derived,
        )

    @property
    def final(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def stage(self, reference: str) -> Stage | None:
        """A stage by name (case-insensitive) or index, as ``COPY --from`` names it."""
        wanted = reference.lower()
        for stage in self.stages:
            if stage.name and stage.name.lower() == wanted:
                return stage
        if reference.isdigit() and int(reference) < len(self.stages):
            return self.stages[int(reference)]
        return None

    def copy_sources(self, stage: Stage) -> list[tuple[Step, Stage]]:
        """The ``COPY --from=<stage>`` steps of a stage (lineage included) and the stages they read."""
        edges = []
        for step in stage.all_steps():
            source = step.instruction.flag("from") if step.keyword in ("COPY", "ADD") else None
            if source:
                source_stage = self.stage(step.expand(source))
                if source_stage is not None and source_stage.index < step.stage_index:
                    edges.append((step, source_stage))
        return edges

    def shipped_stages(self) -> list[Stage]:
        """The final stage's lineage plus every stage it copies from, transitively."""
        if self.final is None:
            return []
        seen: dict[int, Stage] = {}
        pending = [self.final]
        while pending:
            stage = pending.pop()
            for member in stage.lineage():
                if member.index not in seen:
                    seen[member.index] = member
                    pending.extend(source for _, source in self.copy_sources(member))
        return [seen[index] for index in sorted(seen)]

    @property
    def anchor(self) -> Instruction | None:
        """Where findings without a line of their own are reported: the final stage's FROM."""
        return self.final.from_instruction if self.final else None


def stages_by_base(stages: Iterable[Stage]) -> list[list[Stage]]:
    """``stages`` grouped by the image their ``FROM`` names (as written, build arguments substituted), each
    group in file order, the groups in the order of their first ``FROM``: one image however many stages
    build on it."""
    groups: dict[str, list[Stage]] = {}
    for stage in stages:
        groups.setdefault(stage.base.raw, []).append(stage)
    return list(groups.values())


def _shell_script_of(argv: tuple[str, ...]) -> str | None:
    """The script of an exec form that runs ``sh -c "<script>"`` (any of the usual shells), else None."""
    if len(argv) >= 3 and argv[0].rsplit("/", 1)[-1] in SHELL_PROGRAMS and argv[1] == "-c":
        return argv[2]
    return None


def _exec_form_commands(argv: tuple[str, ...]) -> tuple[Command, ...]:
    script = _shell_script_of(argv)
    if script is not None:
        return tuple(split_commands(script))
    return (Command(argv=tuple(argv), text=" ".join(argv)),) if argv else ()


def run_commands(instruction: Instruction) -> tuple[Command, ...]:
    """The simple commands a RUN executes, heredoc scripts included."""
    if instruction.json_args is not None:
        return _exec_form_commands(instruction.json_args)
    script = re.sub(r"<<-?\s*['\"]?[A-Za-z_][A-Za-z0-9_]*['\"]?", "", instruction.args).strip()
    commands = split_commands(script) if script else []
    runs_body_as_shell = not commands or (len(commands) == 1 and commands[0].program in SHELL_PROGRAMS)
    if runs_body_as_shell:
        for heredoc in instruction.heredocs:
            commands.extend(split_commands(heredoc.body))
    return tuple(commands)


def healthcheck_commands(step: Step) -> tuple[Command, ...]:
    """The simple commands a ``HEALTHCHECK CMD`` runs (its exec form or its shell script); none for other steps
    and ``HEALTHCHECK NONE``."""
    if step.keyword != "HEALTHCHECK":
        return ()
    kind, *rest_of = re.split(r"[\t ]+", step.instruction.args, maxsplit=1)
    rest = rest_of[0].strip() if rest_of else ""
    if kind.upper() != "CMD" or not rest:
        return ()
    argv = json_string_array(rest)
    return _exec_form_commands(argv) if argv is not None else tuple(split_commands(rest))


def build_image(parsed: ParsedDockerfile) -> Image:
    global_args: dict[str, str | None] = {}
    stages: list[Stage] = []
    current: Stage | None = None
    state: _StageState | None = None
    named: dict[str, Stage] = {}  # by lower-case name; the first stage of a name wins
    escape = parsed.directives.get("escape", "\\")  # what the parser joined lines with
    for instruction in parsed.instructions:
        if instruction.keyword == "FROM":
            current = _new_stage(instruction, len(stages), global_args, named)
            stages.append(current)
            if current.name:
                named.setdefault(current.name.lower(), current)
            state = _StageState.start(current)
            continue
        if current is None or state is None:
            if instruction.keyword == "ARG":
                for key, value in key_values(instruction, escape):
                    global_args[key] = expand(value, global_args) if value is not None else None
            continue
        current.steps.append(state.apply(instruction, global_args, current.index, escape))
        state.finish(current)
    return Image(path=parsed.path, parsed=parsed, global_args=global_args, stages=stages)


def _new_stage(instruction: Instruction, index: int, global_args: Mapping[str, str | None], named: dict[str, Stage]) -> Stage:
    words = instruction.args.split()
    image_text = expand(words[0], global_args) if words else ""
    name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
    parent = named.get(image_text.lower())
    return Stage(
        index=index,
        name=name,
        from_instruction=instruction,
        base=parse_image_ref(image_text),
        written_base=words[0] if words else "",
        parent=parent,
    )


class _StageState(Record, frozen=False):
    """ENV, ARG and USER as they stand at a step while a stage is read."""

    env: dict[str, str]
    args: dict[str, str | None]
    user: str | None
    user_step: Step | None
    workdir: str
    entrypoint: Instruction | None
    cmd: Instruction | None
    cmd_set_here: bool

    def __init__(
        self,
        env: dict[str, str],
        args: dict[str, str | None],
        user: str | None,
        user_step: Step | None,
        workdir: str,
        entrypoint: Instruction | None,
        cmd: Instruction | None,
        cmd_set_here: bool = False,
    ) -> None:
        self.__dict__.update(
            env=env,
            args=args,
            user=user,
            user_step=user_step,
            workdir=workdir,
            entrypoint=entrypoint,
            cmd=cmd,
            cmd_set_here=cmd_set_here,
        )

    @classmethod
    def start(cls, stage: Stage) -> _StageState:
        parent = stage.parent
        if parent is None:
            return cls(env={}, args={}, user=None, user_step=None, workdir="/", entrypoint=None, cmd=None)
        return cls(
            env=dict(parent.env),
            args={},
            user=parent.user,
            user_step=parent.user_step,
            workdir=parent.workdir,
            entrypoint=parent.entrypoint,
            cmd=parent.cmd,
        )

    def variables(self) -> dict[str, str | None]:
        return {**self.args, **self.env}

    def apply(self, instruction: Instruction, global_args: Mapping[str, str | None], stage_index: int,
              escape: str = "\\") -> Step:
        keyword = instruction.keyword
        commands = run_commands(instruction) if keyword == "RUN" else ()
        declared = tuple(key_values(instruction, escape))
        step = Step(instruction, stage_index, dict(self.env), dict(self.args), self.user, self.workdir, commands,
                    declared, escape)
        if keyword == "ENV":
            for key, value in declared:
                self.env[key] = expand(value or "", self.variables())
        elif keyword == "ARG":
            for key, value in declared:
                inherited = global_args.get(key)
                self.args[key] = expand(value, self.variables()) if value is not None else inherited
        elif keyword == "USER":
            self.user = shell_word(instruction.args, self.variables(), escape) or None
            self.user_step = step
        elif keyword == "WORKDIR":
            path = shell_word(instruction.args, self.variables(), escape)
            self.workdir = path if path.startswith("/") else f"{self.workdir.rstrip('/')}/{path}"
        elif keyword == "ENTRYPOINT":
            self.entrypoint = instruction
            if not self.cmd_set_here:
                self.cmd = None
        elif keyword == "CMD":
            self.cmd = instruction
            self.cmd_set_here = True
        return step

    def finish(self, stage: Stage) -> None:
        stage.env = dict(self.env)
        stage.user, stage.user_step = self.user, self.user_step
        stage.workdir = self.workdir
        stage.entrypoint, stage.cmd = self.entrypoint, self.cmd

