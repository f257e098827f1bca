"""The app handles SIGTERM and SIGINT and shuts down gracefully.

## What it does
When the build context is on disk, finds the app's entry point from the final `CMD`/`ENTRYPOINT`
(`node server.js`, `node .` through package.json `main`, `npm start` through `scripts.start`, also
behind an init) and reads it and the files it imports (relative imports, breadth-first, up to a
limit) for handlers of `SIGTERM` and `SIGINT`: `process.on`/`once`/`addListener`, a library that
registers them (close-with-grace, @godaddy/terminus, lightship, ...), or NestJS's
`enableShutdownHooks()`. It reports the signal that nobody listens for, on the `CMD` line.

The entry point is a path inside the image: it is mapped back to the build context through the
`COPY` instructions (`WORKDIR /usr/src/app` + `COPY . .`, `COPY src/ ./src/`, `COPY --from=build
/app/dist ./dist` followed into the `build` stage). Compiled output that only exists in the image
(`dist/main.js`) is read from its TypeScript source (`src/main.ts`, using tsconfig's `outDir` and
`rootDir` when they are plain). When the code cannot be found, or the scan stops at its size limit,
nothing is reported.

## Why
On `docker stop`, a rollout or a scale-down, the container gets `SIGTERM` and, after a grace
period, `SIGKILL`. An app without a handler dies at once (or, as PID 1, ignores the signal until it
is killed): requests in flight fail, database transactions are cut, queues lose messages. A handler
stops accepting connections, finishes what is running, closes its resources, then exits. `SIGINT` is
what Ctrl-C sends in `docker run -it`. A helper such as http-terminator or stoppable closes a server
but only when a signal handler calls it.

## Example
```js
const server = app.listen(3000)
```
Use instead:
```js
const server = app.listen(3000)
async function closeGracefully(signal) {
  server.close(() => process.exit(0))
}
process.on('SIGTERM', closeGracefully)
process.on('SIGINT', closeGracefully)
```

## Fix
Not automatic: add the handlers (or close-with-grace, @godaddy/terminus, lightship) to the app.
"""
import posixpath
from collections.abc import Iterator

from nodeguard.findings import Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image
from nodeguard.model.process import final_process
from nodeguard.node.app import ShutdownHandling, find_entry_point, handles_shutdown
from nodeguard.node.image_files import ImageReader
from nodeguard.node.programs import JAVASCRIPT_EXTENSIONS
from nodeguard.node.runtime import launched
from nodeguard.rules.base import NoOptions, Problem, Rule

SIGNALS = ("SIGTERM", "SIGINT")
WHY = {
    "SIGTERM": "which `docker stop` and Kubernetes send before killing the container",
    "SIGINT": "which Ctrl-C sends",
}


def _entry_command(words: tuple[str, ...], workdir: str) -> list[str]:
    """The command with absolute file paths made relative to WORKDIR, and a bare ``server.js`` run by node."""
    if words and words[0].endswith(JAVASCRIPT_EXTENSIONS):
        words = ("node", *words)
    relative = [posixpath.relpath(word, workdir) if word.startswith("/") else word for word in words[1:]]
    return [words[0], *relative] if words else []


def _message(shown: str, missing: list[str], handling: ShutdownHandling) -> str:
    if len(missing) == 2:
        text = f"{shown} handles neither SIGTERM nor SIGINT, so the app is killed mid-request on shutdown"
    else:
        other = "SIGINT" if missing[0] == "SIGTERM" else "SIGTERM"
        text = f"{shown} handles {other} but not {missing[0]}, {WHY[missing[0]]}"
    if handling.close_helpers:
        text += f" ({', '.join(handling.close_helpers)} closes the server only when a signal handler calls it)"
    return (
        text
        + f"; add process.on('{missing[0]}', ...) that closes the server and exits, or use close-with-grace"
    )


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterator[Problem]:
    if not context.files_readable:
        return
    process = final_process(image)
    final = image.final
    if process is None or final is None:
        return
    workdir = final.workdir
    reader = ImageReader(image, final, context, "/")
    entry = find_entry_point(_entry_command(launched(process.argv), workdir), reader, workdir.lstrip("/"))
    if entry is None:
        return
    handling = handles_shutdown(entry, reader)
    missing = [signal for signal in SIGNALS if signal not in handling.signals]
    if not missing or not handling.complete:
        return
    source = reader.found.get(entry)
    shown = f"the app's entry point {context.display_path(source) if source else entry}"
    imported = len(handling.files_scanned) - 1
    if imported:
        shown += " (and the file it imports)" if imported == 1 else f" (and the {imported} files it imports)"
    anchor = process.anchor
    yield Problem(anchor.start_line, _message(shown, missing, handling), end_line=anchor.end_line)


RULE = Rule(
    id="NG601",
    name="graceful-shutdown",
    section=6,
    severity=Severity.WARNING,
    summary="The app's entry point does not handle SIGTERM or SIGINT",
    check=check,
    doc=__doc__,
)
