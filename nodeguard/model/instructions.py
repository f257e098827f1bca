"""The parsed form of a Dockerfile: instructions with their exact line spans."""
from __future__ import annotations

from nodeguard.record import Record



class Heredoc(Record):
    """A BuildKit here-document attached to an instruction (``RUN <<EOF`` ... ``EOF``)."""

    name: str  # the delimiter word, without quotes or ``-``
    body: str  # the body text, every line ending with "\n"; tabs already stripped for ``<<-``
    strip_tabs: bool  # ``<<-EOF``
    quoted: bool  # ``<<"EOF"`` / ``<<'EOF'``: no variable expansion in the body
    start_line: int  # first body line (1-based)
    end_line: int  # line of the closing delimiter

    def __init__(self, name: str, body: str, strip_tabs: bool, quoted: bool, start_line: int, end_line: int) -> None:
        self.__dict__.update(
            name=name,
            body=body,
            strip_tabs=strip_tabs,
            quoted=quoted,
            start_line=start_line,
            end_line=end_line,
        )


class Instruction(Record):
    """One Dockerfile instruction as written: keyword, lines, arguments and flags."""

    keyword: str  # upper-case: FROM, RUN, COPY, ...
    start_line: int  # 1-based
    end_line: int  # 1-based, inclusive: continuation lines and heredoc bodies included
    original: str  # the source lines start_line..end_line exactly as written, joined with "\n"
    flags: tuple[str, ...]  # leading ``--name=value`` options, e.g. ("--from=build", "--chown=node:node")
    args: str  # the text after the keyword and flags; continuations joined, interleaved comment lines removed
    json_args: tuple[str, ...] | None  # the exec form, when args is a valid JSON array of strings
    heredocs: tuple[Heredoc, ...]
    comments_above: tuple[str, ...]  # the comment lines directly above, without "#", stripped

    def __init__(
        self,
        keyword: str,
        start_line: int,
        end_line: int,
        original: str,
        flags: tuple[str, ...],
        args: str,
        json_args: tuple[str, ...] | None = None,
        heredocs: tuple[Heredoc, ...] = (),
        comments_above: tuple[str, ...] = (),
    ) -> None:
        self.__dict__.update(
            keyword=keyword,
            start_line=start_line,
            end_line=end_line,
            original=original,
            flags=flags,
            args=args,
            json_args=json_args,
            heredocs=heredocs,
            comments_above=comments_above,
        )

    def flag(self, name: str) -> str | None:
        """The value of ``--name=value`` (or "" for a bare ``--name``), else None."""
        prefix = f"--{name}"
        for item in self.flags:
            if item == prefix:
                return ""
            if item.startswith(prefix + "="):
                return item[len(prefix) + 1 :]
        return None

    @property
    def is_exec_form(self) -> bool:
        return self.json_args is not None

    @property
    def first_line(self) -> str:
        """The instruction's first line as written, without the blanks around it (to quote in a message)."""
        return self.original.strip().split("\n", 1)[0].strip()

    @property
    def indent(self) -> str:
        """The blanks before the keyword on the first line (a rewrite keeps them)."""
        return self.original[: len(self.original) - len(self.original.lstrip())]


class ParseProblem(Record):
    """A line the parser could not read, and why. ``whole_file``: what is wrong is in the file's bytes
    (its line endings, its encoding), so no line of it can be rewritten without changing others: says
    what the file does ("ends its lines with CR only"); empty for a problem of one instruction."""

    line: int
    message: str
    whole_file: str

    def __init__(self, line: int, message: str, whole_file: str = "") -> None:
        self.__dict__.update(line=line, message=message, whole_file=whole_file)


class ParsedDockerfile(Record):
    """A Dockerfile's lines, instructions and parser directives."""

    path: str
    lines: tuple[str, ...]  # the file's lines, without line endings
    instructions: tuple[Instruction, ...]
    directives: dict[str, str]  # parser directives: escape, syntax, check
    problems: tuple[ParseProblem, ...]  # unterminated heredoc, unknown instruction, no FROM, ...

    def __init__(
        self,
        path: str,
        lines: tuple[str, ...],
        instructions: tuple[Instruction, ...],
        directives: dict[str, str] | None = None,
        problems: tuple[ParseProblem, ...] = (),
    ) -> None:
        self.__dict__.update(
            path=path,
            lines=lines,
            instructions=instructions,
            directives={} if directives is None else directives,
            problems=problems,
        )

    @property
    def not_rewritable(self) -> str:
        """Why no line of the file can be rewritten (see ``ParseProblem.whole_file``); empty when lines can."""
        return next((problem.whole_file for problem in self.problems if problem.whole_file), "")
