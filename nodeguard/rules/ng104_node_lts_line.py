"""The shipped image runs an LTS line of Node.js.

## What it does
Reads the Node.js line from the tag (or name) of the image at the root of the final stage: `node:25`,
`node:current-alpine`, `node:26` before 26 becomes LTS, `cgr.dev/chainguard/node:latest` when the
newest line is not LTS yet, `gcr.io/distroless/nodejs25-debian12`, and reports a line that is not LTS
on the day of the run, by the Node.js release schedule nodeguard ships. `lts`, codenames (`jod`,
`krypton`) and version numbers are understood, with any variant suffix.
A line in maintenance LTS is still supported and still gets security releases: it passes (NG701
reports it once it is past end-of-life). Images and tags nodeguard does not know pass as well.

## Why
Odd-numbered lines (23, 25) and even lines before their LTS date are Current releases: they get
breaking changes for a few months and reach end-of-life after about eight (odd lines) instead of
thirty months. Production images should run an Active or Maintenance LTS line; the Node.js project
says so itself.

## Example
On 2026-01-15 (`today: "2026-01-15"`), when Node.js 25 was the Current line (since its end-of-life on
2026-06-01, NG701 reports it instead):
```dockerfile
FROM node:25-alpine
```
Use instead:
```dockerfile
FROM node:24-alpine
```

## Fix
No automatic fix: a new major line can break the app. Move to the newest LTS line named in the
message and run the tests. The `today` option (`"2026-11-26"`) fixes the day the schedule is read
for; leave it unset to judge by the day of the run.
"""
from collections.abc import Iterator

from nodeguard.findings import Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image
from nodeguard.node.releases import LineStatus, Phase
from nodeguard.node.support import day_of, image_line, lines_text, lts_lines, version_note
from nodeguard.rules.base import Problem, Rule, TodayOptions


def why_not_lts(status: LineStatus) -> str:
    line = status.line
    assert line is not None  # a line in the schedule: its phase is known
    if status.phase is Phase.UNRELEASED:
        return f"which is not released yet (planned for {line.start or 'later'})"
    if line.lts is None:
        return f"a Current line that never becomes LTS (end-of-life {line.end.isoformat()})"
    return f"a Current line until it becomes LTS on {line.lts.isoformat()}"


def check(image: Image, context: BuildContext, options: TodayOptions) -> Iterator[Problem]:
    final = image.final
    if final is None:
        return
    root = final.lineage()[0]
    today = day_of(options.today)
    found = image_line(root.base, today)
    if found is None:
        return
    facts, status = found
    if status.phase not in (Phase.CURRENT, Phase.MAINTENANCE, Phase.UNRELEASED):
        return
    yield Problem(
        root.from_instruction.start_line,
        f"`{root.base.raw}` ships Node.js {status.major}{version_note(facts.version, status.major)}, {why_not_lts(status)}; "
        f"use an LTS line: {lines_text(lts_lines(today))}",
        end_line=root.from_instruction.end_line,
    )


RULE = Rule(
    id="NG104",
    name="node-lts-line",
    section=1,
    severity=Severity.WARNING,
    summary="The shipped image's Node.js line is not LTS",
    check=check,
    doc=__doc__,
    options=TodayOptions,
)
