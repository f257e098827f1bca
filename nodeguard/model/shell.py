"""Split a RUN script into simple commands."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Command:
    """One simple command of a shell script, e.g. ``NODE_ENV=production npm ci --omit=dev``."""

    argv: tuple[str, ...]  # words after assignments, quotes removed; argv[0] is the program
    assignments: dict[str, str] = field(default_factory=dict)  # ``VAR=value`` prefixes
    text: str = ""  # the command's source text, for messages
    line_offset: int = 0  # lines from the start of the script to this command

    @property
    def program(self) -> str:
        """The program's base name: ``/usr/bin/npm`` -> ``npm``."""
        return self.argv[0].rsplit("/", 1)[-1] if self.argv else ""


def split_commands(script: str) -> list[Command]:
    raise NotImplementedError  # implemented by the shell work item
