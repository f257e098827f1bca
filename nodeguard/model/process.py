"""The process a container starts: ENTRYPOINT and CMD combined as Docker combines them, and how a shell
script hands over to another program. Docker and shell semantics only; what the words mean for Node.js
is ``nodeguard.node.runtime``'s."""
from __future__ import annotations

import re

from nodeguard.model.image import Image, Stage
from nodeguard.model.instructions import Instruction
from nodeguard.model.shell import simple_command_words, split_commands
from nodeguard.patterns import LazyPattern
from nodeguard.record import Record

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from typing import Literal

_SHELL_SYNTAX = frozenset("&|;<>$`()*?~\\\"'\n#")
# Where a command starts, with any ``VAR=value`` in front of it (``NODE_ENV=production exec node x.js``
# exports the variable to the program exec starts).
_COMMAND_START = r"(?:^|[;&|(]|\bthen|\belse|\bdo)\s*(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*"
_EXEC = LazyPattern(_COMMAND_START + r"exec\s+(?![0-9]*[<>]|-)\S", re.MULTILINE)
_EXEC_WITH_OPTIONS = LazyPattern(_COMMAND_START + r"exec\s+-[acl]+\s+\S", re.MULTILINE)
_EXEC_COMMAND = LazyPattern(_COMMAND_START + r"exec\s+(?P<words>[^;&|\n]+)", re.MULTILINE)
BUSYBOX = "busybox"
ALL_ARGUMENTS = "$@"


class Process(Record):
    """What Docker runs for a stage: ENTRYPOINT then CMD, a shell form as ``/bin/sh -c "..."``."""

    argv: tuple[str, ...]
    entrypoint: Instruction | None
    cmd: Instruction | None  # None when a shell-form ENTRYPOINT makes Docker ignore it

    def __init__(self, argv: tuple[str, ...], entrypoint: Instruction | None, cmd: Instruction | None) -> None:
        self.__dict__.update(argv=argv, entrypoint=entrypoint, cmd=cmd)

    @property
    def anchor(self) -> Instruction:
        """The line a finding about the process belongs on: CMD, else ENTRYPOINT."""
        anchor = self.cmd or self.entrypoint
        assert anchor is not None  # a Process has at least one of them
        return anchor

    @property
    def form(self) -> Literal["exec", "shell"]:
        """How the first instruction of the process is written."""
        first = self.entrypoint or self.cmd
        return "exec" if first is not None and first.is_exec_form else "shell"


def instruction_words(instruction: Instruction) -> tuple[str, ...]:
    """What Docker runs for a CMD/ENTRYPOINT: the exec form's strings, or ``/bin/sh -c "<script>"``."""
    if instruction.json_args is not None:
        return tuple(instruction.json_args)
    return ("/bin/sh", "-c", instruction.args)


def shell_form_script(instruction: Instruction) -> str | None:
    """The script of a shell-form CMD/ENTRYPOINT (Docker hands it to ``/bin/sh -c`` unsplit); None for the exec form."""
    return None if instruction.is_exec_form else instruction.args


def plain_argv(instruction: Instruction) -> list[str] | None:
    """A CMD/ENTRYPOINT's words when they need no shell: the exec form's strings, or a shell form that is one
    command of plain words (``CMD npm start``); None for a shell form with any shell syntax."""
    if instruction.json_args is not None:
        return list(instruction.json_args)
    return plain_words(instruction.args)


def stage_process(stage: Stage) -> Process | None:
    entrypoint, cmd = stage.entrypoint, stage.cmd
    if entrypoint is None and cmd is None:
        return None
    if entrypoint is not None and not entrypoint.is_exec_form:
        cmd = None
    argv = instruction_words(entrypoint) if entrypoint is not None else ()
    if cmd is not None:
        argv += instruction_words(cmd)
    return Process(argv, entrypoint, cmd)


def final_process(image: Image) -> Process | None:
    """The shipped image's process, or None when it sets neither ENTRYPOINT nor CMD (computed once)."""
    if "process" not in image.derived:
        image.derived["process"] = stage_process(image.final) if image.final is not None else None
    return image.derived["process"]


def plain_words(script: str) -> list[str] | None:
    """A shell script that is one simple command of plain words, as those words; else None."""
    if any(char in _SHELL_SYNTAX for char in script):
        return None
    words = script.split()
    return words or None


def shell_argv(argv: tuple[str, ...]) -> tuple[str, ...]:
    """The shell's own words: ``busybox sh -c ...`` runs the applet ``sh -c ...``."""
    if len(argv) > 1 and argv[0].rsplit("/", 1)[-1] == BUSYBOX:
        return argv[1:]
    return argv


def shell_c_script(argv: tuple[str, ...]) -> str | None:
    """The script of ``<shell> -c "<script>"`` (``-ec`` too, ``busybox sh -c`` too) when ``argv[0]`` is a
    shell, else None."""
    argv = shell_argv(argv)
    if len(argv) < 3:
        return None
    option = argv[1]
    if not (option.startswith("-") and not option.startswith("--") and "c" in option):
        return None
    return argv[2]


def shell_script_argument(argv: tuple[str, ...]) -> str | None:
    """The script file of ``<shell> [options] ./start.sh [args]`` when ``argv[0]`` is a shell, else None."""
    for word in shell_argv(argv)[1:]:
        if word == "--":
            continue
        if word.startswith("-"):
            if "c" in word.lstrip("-") and not word.startswith("--"):
                return None  # ``sh -c``: an inline script
            continue
        return word
    return None


def code_lines(script: str) -> str:
    return "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("#"))


def hands_over(script: str) -> bool:
    """True when a shell script replaces itself with another program (``exec node ...``, ``exec "$@"``)."""
    code = code_lines(script)
    return bool(_EXEC.search(code) or _EXEC_WITH_OPTIONS.search(code))


def exec_of_arguments(script: str) -> tuple[str, ...] | None:
    """The words in front of ``"$@"`` in the script's last ``exec ... "$@"`` (``exec "$@"`` -> ()),
    else None: the script then becomes the command it was given, behind those words."""
    found = None
    for match in _EXEC_COMMAND.finditer(code_lines(script)):
        words = simple_command_words(match.group("words"))
        if words and words[-1] == ALL_ARGUMENTS and not any(word.startswith("-") for word in words[:1]):
            found = tuple(words[:-1])
    return found


def final_exec(script: str) -> tuple[str, ...] | None:
    """The program and arguments that ``exec`` replaces the shell with when that is the script's last command
    (``cd /app && exec node server.js`` -> ("node", "server.js")), else None. Read from the script's commands,
    so an ``exec`` inside a quoted argument is not taken for one."""
    commands = split_commands(code_lines(script))
    if len(commands) < 2 or not commands[-1].argv:
        return None
    wrapper = commands[-2]
    if not wrapper.argv or wrapper.argv[0] != "exec" or wrapper.redirects:
        return None  # ``exec 3>&1; node x`` only redirects: the shell stays
    return commands[-1].argv
