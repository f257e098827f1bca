"""The process the shipped image starts: ENTRYPOINT and CMD combined as Docker combines them.

Shared by the rules of practices 5 and 6.
"""
from __future__ import annotations

import posixpath
import shlex
from dataclasses import dataclass

from nodeguard.model.image import Image, Stage
from nodeguard.model.instructions import Instruction
from nodeguard.node.packages import SHELLS, is_init_program, strip_init

PACKAGE_MANAGERS = frozenset({"npm", "yarn", "pnpm", "npx", "corepack"})
NODE_PROGRAMS = frozenset({"node", "nodejs", "ts-node", "ts-node-esm", "tsx"})
SCRIPT_SUFFIXES = (".js", ".mjs", ".cjs")
_SHELL_SYNTAX = set("&|;<>$`()*?~\\\"'\n#")


@dataclass(frozen=True)
class Process:
    argv: tuple[str, ...]  # what Docker runs: ENTRYPOINT then CMD, a shell form as /bin/sh -c "..."
    entrypoint: Instruction | None
    cmd: Instruction | None  # None when a shell-form ENTRYPOINT makes Docker ignore it

    @property
    def anchor(self) -> Instruction:
        """The line a finding about the process belongs on: CMD, else ENTRYPOINT."""
        return self.cmd or self.entrypoint

    @property
    def has_init(self) -> bool:
        return bool(self.argv) and is_init_program(self.argv[0])

    @property
    def command(self) -> tuple[str, ...]:
        """The command an init starts (the whole argv without an init)."""
        return strip_init(self.argv)


def instruction_words(instruction: Instruction) -> tuple[str, ...]:
    if instruction.json_args is not None:
        return tuple(instruction.json_args)
    return ("/bin/sh", "-c", instruction.args)


def final_process(image: Image) -> Process | None:
    stage = image.final
    if stage is None or (stage.entrypoint is None and stage.cmd is None):
        return None
    return stage_process(stage)


def stage_process(stage: Stage) -> Process:
    entrypoint, cmd = stage.entrypoint, stage.cmd
    if entrypoint is not None and not entrypoint.is_exec_form:
        cmd = None
    argv = instruction_words(entrypoint) if entrypoint is not None else ()
    if cmd is not None:
        argv += instruction_words(cmd)
    return Process(argv, entrypoint, cmd)


def shell_script(argv: tuple[str, ...]) -> str | None:
    """The script of ``sh -c "<script>"`` (``bash -ec`` too), else None."""
    if len(argv) < 3 or posixpath.basename(argv[0]) not in SHELLS:
        return None
    option = argv[1]
    if not (option.startswith("-") and not option.startswith("--") and "c" in option):
        return None
    return argv[2]


def plain_words(script: str) -> list[str] | None:
    """A shell script that is one simple command of plain words, as those words; else None."""
    if any(char in _SHELL_SYNTAX for char in script):
        return None
    words = script.split()
    return words or None


def launched(argv: tuple[str, ...]) -> tuple[str, ...]:
    """The program that ends up running: through inits, ``sh -c "exec node x"``, ``exec`` and ``env``."""
    words = strip_init(argv)
    script = shell_script(words)
    if script is not None:
        try:
            inner = shlex.split(script)
        except ValueError:
            return words
        if inner and not (set(script) & set("&|;\n")):
            words = tuple(inner)
    while words and (words[0] in ("exec", "env") or "=" in words[0] and not words[0].startswith("-")):
        words = words[1:]
    return words


def runs_node(words: tuple[str, ...]) -> bool:
    """True when the command starts Node.js: node itself, a package manager, or a .js file (``CMD ["server.js"]``
    on an image whose entrypoint passes it to node)."""
    if not words:
        return False
    program = posixpath.basename(words[0])
    return program in NODE_PROGRAMS or program in PACKAGE_MANAGERS or program.endswith(SCRIPT_SUFFIXES)
