"""No shipped stage runs a Node.js line that is past end-of-life.

## What it does
Reads the Node.js line of the external image at the root of every stage that ships: the final stage's
lineage and every stage it copies files from (`COPY --from`), transitively. It reports a line past its
end-of-life date by the Node.js release schedule nodeguard ships: `node:16-alpine`, `node:gallium`,
`node:14.21.3`, `gcr.io/distroless/nodejs18-debian12`, `cgr.dev/chainguard/node:18`... A stage that is
only built and thrown away (tests, linting) is not judged.

## Why
An end-of-life line gets no security releases: every Node.js, OpenSSL or libuv vulnerability found
after that date stays in your image, and scanners report them as unfixable. Build stages count too:
what they compile or bundle is what ships.

## Example
```dockerfile
FROM node:16-alpine
```
Use instead:
```dockerfile
FROM node:24-alpine
```

## Fix
No automatic fix: moving to a new major line can break the app. Move to one of the LTS lines named in
the message and run the tests. The `today` option (`"2026-11-26"`) fixes the day the schedule is read
for; leave it unset to judge by the day of the run.
"""
from collections.abc import Iterator

from nodeguard.findings import Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image
from nodeguard.node.support import day_of, image_line, lines_text, lts_lines, version_note
from nodeguard.rules.base import Problem, Rule, TodayOptions


def check(image: Image, context: BuildContext, options: TodayOptions) -> Iterator[Problem]:
    today = day_of(options.today)
    for stage in image.shipped_stages():
        if stage.parent is not None:
            continue
        found = image_line(stage.base, today)
        if found is None:
            continue
        facts, status = found
        if not status.is_end_of_life or status.line is None:
            continue
        yield Problem(
            stage.from_instruction.start_line,
            f"`{stage.base.raw}` ships Node.js {status.major}{version_note(facts.version, status.major)}, "
            f"end-of-life since {status.line.end.isoformat()}: it gets no security fixes; "
            f"move to an LTS line: {lines_text(lts_lines(today))}",
            end_line=stage.from_instruction.end_line,
        )


RULE = Rule(
    id="NG701",
    name="node-end-of-life",
    section=7,
    severity=Severity.ERROR,
    summary="A shipped stage runs an end-of-life Node.js line",
    check=check,
    doc=__doc__,
    options=TodayOptions,
)
