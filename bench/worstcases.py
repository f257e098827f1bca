"""Hostile inputs at the size limit, one generator per known worst case: what ``bench/worst-case`` times and
``tests/hostile/test_worst_cases.py`` bounds. Standard library only."""
from __future__ import annotations

from collections.abc import Callable

MIB = 1024 * 1024


def _fill(head: str, unit: str, size: int, tail: str = "") -> str:
    count = max(1, (size - len(head) - len(tail)) // len(unit))
    return head + unit * count + tail


def wrapper_chain(size: int) -> str:
    return _fill("FROM node:20\nRUN ", "sudo env A=1 nohup time exec ", size, "npm ci\n")


def npm_installs_in_one_run(size: int) -> str:
    return _fill("FROM node:20\nRUN ", "npm install && ", size, "true\n")


def stage_pragmas(size: int) -> str:
    stages = "".join(f"# nodeguard stage ignore=NG101 -- legacy\nFROM node:latest AS s{i}\n" for i in range(499))
    return _fill(stages, "# nodeguard stage ignore=NG101 -- legacy\nRUN npm ci\n", size)


def from_as_chain(size: int) -> str:
    """Each stage builds on the one before: as long a chain as the stage limit allows, then filled with
    steps to ``size``."""
    from_lines = "FROM node:20 AS s0\n" + "".join(f"FROM s{i} AS s{i + 1}\nUSER node\n" for i in range(499))
    return _fill(from_lines, "RUN npm ci --omit=dev\n", size)


def from_as_chain_beyond_the_limit(size: int) -> str:
    return "FROM node:20 AS s0\n" + "".join(f"FROM s{i} AS s{i + 1}\n" for i in range(size // 24))


def instruction_pragmas(size: int) -> str:
    return _fill("FROM node:20\n", "# nodeguard ignore=NG202,NG201 -- legacy\nRUN npm install\n", size)


def many_instructions(size: int) -> str:
    return _fill("FROM node:20\n", "RUN npm ci && echo hello world\n", size)


def continuation_lines(size: int) -> str:
    return _fill("FROM node:20\nRUN npm ci", " \\\n  && echo x", size, "\n")


def nested_substitutions(size: int) -> str:
    depth = size // 8
    return "FROM node:20\nRUN echo " + "$(" * depth + ")" * depth + "\n"


def dockerignore_patterns(size: int) -> str:
    return _fill("", "**/a*b*c*d/**/*.log\n", size)


def dockerignore_backtracking(size: int) -> str:
    return _fill("", "**/**/**/**/**/**/**/**/**/**/a\n*a*a*a*a*a*a*ab\n", size)


DOCKERFILES: dict[str, Callable[[int], str]] = {
    "wrapper chain": wrapper_chain,
    "npm installs in one RUN": npm_installs_in_one_run,
    "stage pragmas": stage_pragmas,
    "instruction pragmas": instruction_pragmas,
    "FROM … AS chain": from_as_chain,
    "FROM … AS chain beyond the stage limit": from_as_chain_beyond_the_limit,
    "many instructions": many_instructions,
    "continuation lines": continuation_lines,
    "nested $( )": nested_substitutions,
}
def dockerignore_distinct_patterns(size: int) -> str:
    lines, total, index = [], 0, 0
    while total < size - 40:
        line = f"**/a{index}*b*c*d/**/*.log\n"
        lines.append(line)
        total += len(line)
        index += 1
    return "".join(lines)


IGNORE_FILES: dict[str, Callable[[int], str]] = {
    "many patterns": dockerignore_patterns,
    "backtracking patterns": dockerignore_backtracking,
    "distinct patterns": dockerignore_distinct_patterns,
}
