"""No shipped stage runs a Node.js line that is past end-of-life.

## What it does
Reads the Node.js line of the external image at the root of every stage that ships: the final stage's
lineage and every stage it copies files from (`COPY --from`), transitively. It reports a line past its
end-of-life date by the Node.js release schedule nodeguard ships: `node:16-alpine`, `node:gallium`,
`node:14.21.3`, `gcr.io/distroless/nodejs18-debian12`, `cgr.dev/chainguard/node:18`... A stage that is
only built and thrown away (tests, linting) is not judged. An image several stages build on is reported
once, at its first `FROM`, naming the other `FROM` lines: one change of the tag fixes them all.

Node.js installed by a `RUN` of those stages is judged the same way, at the `RUN` that names the version:
NodeSource's repositories (`curl -fsSL https://deb.nodesource.com/setup_18.x | bash -`, the `node_16.x`
repository line or a package under it) once `nodejs` is installed from them, `n 16`, `nvm install 16`,
`fnm install 12`, `volta install node@14`, `asdf install nodejs 16.20.2`, and the official builds
(`https://nodejs.org/dist/v16.20.2/node-v16.20.2-linux-x64.tar.xz`). A version given through `ARG` or
`ENV` (`nvm install $NODE_VERSION`) is read when the Dockerfile sets it. The distributions' own `nodejs`
packages (`apt-get install nodejs` from Debian's or Ubuntu's archive, `apk add nodejs`) are not judged:
their line depends on the distribution's release, and nodeguard has no table of them.

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

```dockerfile
FROM ubuntu:24.04
RUN curl -fsSL https://deb.nodesource.com/setup_18.x | bash - && apt-get install -y nodejs
```
Use instead:
```dockerfile
FROM ubuntu:24.04
RUN curl -fsSL https://deb.nodesource.com/setup_24.x | bash - && apt-get install -y nodejs
```

## Fix
No automatic fix: moving to a new major line can break the app. Move to one of the LTS lines named in
the message and run the tests. The `today` option (`"2026-11-26"`) fixes the day the schedule is read
for; leave it unset to judge by the day of the run.
"""
from collections.abc import Iterator

from nodeguard.findings import Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image, stages_by_base
from nodeguard.node.node_installs import NodeInstall, node_installs
from nodeguard.node.support import day_of, image_line, install_line, lines_text, lts_lines, version_note
from nodeguard.rules.base import Problem, Rule, TodayOptions, same_image_note


def check(image: Image, context: BuildContext, options: TodayOptions) -> Iterator[Problem]:
    today = day_of(options.today)
    move = f"it gets no security fixes; move to an LTS line: {lines_text(lts_lines(today))}"
    shipped = image.shipped_stages()
    roots = [stage for stage in shipped if stage.parent is None]
    for first, *others in stages_by_base(roots):
        found = image_line(first.base, today)
        if found is None:
            continue
        facts, status = found
        if not status.is_end_of_life or status.line is None:
            continue
        yield Problem(
            first.from_instruction.start_line,
            f"`{first.base.raw}` ships Node.js {status.major}{version_note(facts.version, status.major)}, "
            f"end-of-life since {status.line.end.isoformat()}{same_image_note(others)}: {move}",
            end_line=first.from_instruction.end_line,
        )
    installs: dict[tuple[int, str], NodeInstall] = {}
    for stage in shipped:  # a parent's installs once, however many shipped stages build on it
        for install in node_installs(stage.all_steps()):
            installs.setdefault((install.step.line, install.how), install)
    for install in sorted(installs.values(), key=lambda install: install.step.line):
        installed = install_line(install, today)
        if installed is None or not installed.is_end_of_life or installed.line is None:
            continue
        by = f" (`nodejs` on line {install.installed_by.line})" if install.installed_by is not None else ""
        yield Problem(
            install.step.line,
            f"{install.how} installs Node.js {installed.major}{version_note(install.version, installed.major)}{by}, "
            f"end-of-life since {installed.line.end.isoformat()}: {move}",
            end_line=install.step.end_line,
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
