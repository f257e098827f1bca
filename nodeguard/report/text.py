"""The terminal and log format: one ``path:line:col: ID severity message`` line a finding, then a summary."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import groupby

from nodeguard.findings import Finding
from nodeguard.report.common import FIX_COMMAND, Paint, finding_line, fixable_line, ordered, printable, summary_line, unpainted

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from typing import TextIO

_ANSI_STYLES = {
    "header": "1;4",
    "path": "1",
    "rule": "2",
    "error": "1;31",
    "warning": "33",
    "info": "36",
    "hint": "32",
    "summary": "1",
}


def ansi(style: str, text: str) -> str:
    return f"\x1b[{_ANSI_STYLES[style]}m{text}\x1b[0m"


def should_color(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Colour only a terminal, and never when ``NO_COLOR`` is set to a non-empty value (no-color.org)."""
    return color_wanted("auto", stream, environ)


def color_wanted(choice: str, stream: TextIO | None, environ: Mapping[str, str]) -> bool:
    """``--color``: ``always`` and ``never`` decide; ``auto`` colours a terminal (``stream``; None for a
    file), except when ``NO_COLOR`` is set (no-color.org), and anything when ``FORCE_COLOR`` is set
    (force-color.org); both only when not empty. ``NO_COLOR`` wins over ``FORCE_COLOR``."""
    if choice != "auto":
        return choice == "always"
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty is not None and isatty())
    except (ValueError, OSError):  # a closed or detached stream
        return False


def render(
    findings: Iterable[Finding],
    *,
    color: bool = False,
    headers: bool = False,
    checked_files: int | None = None,
    fix_command: str | None = FIX_COMMAND,
) -> str:
    """The findings grouped by file, in file and line order, and a final summary line.

    ``headers`` puts a line naming the file above its findings (for a terminal); ``color`` adds ANSI
    colours; ``checked_files`` is how many files were checked, for ``No problems found in N files.``; ``fix_command``
    is the command the fix hints name (None: no hints, for standard input).
    """
    paint: Paint = ansi if color else unpainted
    findings = ordered(findings)
    lines: list[str] = []
    for path, group in groupby(findings, key=lambda finding: finding.path):
        if headers:
            lines.append(paint("header", printable(path)))
            lines.extend(f"  {finding_line(finding, paint, fix_command)}" for finding in group)
            lines.append("")
        else:
            lines.extend(finding_line(finding, paint, fix_command) for finding in group)
    if findings and not headers:
        lines.append("")
    lines.append(paint("summary", summary_line(findings, checked_files)))
    fixable = fixable_line(findings, fix_command)
    if fixable:
        lines.append(paint("hint", fixable))
    return "\n".join(lines) + "\n"
