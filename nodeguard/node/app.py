"""The app inside the image: which file the container starts, and whether it shuts down on SIGTERM.

Files are read only through the ``read_text(relpath) -> str | None`` callback (the build context's),
with paths relative to the build context. JavaScript is scanned with regular expressions after its
comments are removed: fast, and good enough to tell ``process.on('SIGTERM', ...)`` from nothing.
"""
from __future__ import annotations

import posixpath
import re
import shlex
from collections import deque
from collections.abc import Callable

from nodeguard.node.manifest import SCRIPT_RUNNERS, read_package_json, script_name
from nodeguard.node.programs import strip_init
from nodeguard.patterns import LazyPattern
from nodeguard.record import Record

ReadText = Callable[[str], "str | None"]

MAX_FILES = 50
MAX_CHARS = 2_000_000
_MAX_SCRIPT_DEPTH = 5

SCRIPT_EXTENSIONS = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts")
_TS_FOR_JS = {".js": ".ts", ".mjs": ".mts", ".cjs": ".cts"}  # TypeScript ESM imports name the output file
_NODE_RUNNERS = frozenset({"node", "nodejs", "ts-node", "ts-node-esm", "tsx", "bun"})
_WRAPPERS = frozenset({"exec", "env", "cross-env", "npx"})  # followed by the real command (after VAR=value)
_USER_SWITCHERS = frozenset({"gosu", "su-exec"})  # ``gosu node node server.js``
# node / ts-node options followed by a separate value; those written ``--opt=value`` need nothing.
_VALUE_OPTIONS = frozenset(
    {
        "-r", "--require", "--import", "--loader", "--experimental-loader", "-C", "--conditions",
        "--env-file", "--title", "--inspect-port", "--input-type", "--stack-size",
        "-P", "--project", "-O", "--compiler-options", "--cwd", "--tsconfig",
    }
)  # fmt: skip
# Options after which node runs no file of the app.
_NO_SCRIPT_OPTIONS = frozenset(
    {"-e", "--eval", "-p", "--print", "-c", "--check", "-i", "--interactive", "--test", "-v", "--version", "-h", "--help", "--run"}
)


def _join(directory: str, relative: str) -> str | None:
    """A normalised context-relative path, or None for absolute paths and paths that leave the context."""
    if relative.startswith("/"):
        return None
    path = posixpath.normpath(posixpath.join(directory, relative))
    if path == ".":
        return ""
    return None if path == ".." or path.startswith("../") else path


def find_entry_point(argv: list[str] | tuple[str, ...], read_text: ReadText, workdir_rel: str) -> str | None:
    """The context-relative path of the file the container's command runs, or None when it cannot be told.

    ``argv`` is the final command (an init in front of it is skipped); ``workdir_rel`` is the folder of
    the build context that WORKDIR holds (``""`` for the context root).
    """
    return _entry_of_command(tuple(strip_init(argv)), read_text, workdir_rel, 0)


def _entry_of_command(words: tuple[str, ...], read_text: ReadText, workdir: str, depth: int) -> str | None:
    words = _unwrap(words)
    if not words:
        return None
    program = posixpath.basename(words[0])
    if program in SCRIPT_RUNNERS:
        script = script_name(words)
        if script is not None:
            return _entry_of_package_script(script, program, read_text, workdir, depth)
    if program in _NODE_RUNNERS:
        target = _script_argument(words[1:], skip_first=("watch",) if program == "tsx" else ())
        return _resolve_entry(target, read_text, workdir) if target else None
    return None


def _unwrap(words: tuple[str, ...]) -> tuple[str, ...]:
    """Drop ``exec``, ``env``/``cross-env`` with their ``VAR=value`` words, ``npx``, ``gosu user``."""
    while words:
        program = posixpath.basename(words[0])
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
            words = words[1:]
        elif program in _WRAPPERS:
            words = words[1:]
        elif program in _USER_SWITCHERS:
            words = words[2:]
        else:
            return words
    return words


def _entry_of_package_script(name: str, manager: str, read_text: ReadText, workdir: str, depth: int) -> str | None:
    if depth >= _MAX_SCRIPT_DEPTH:
        return None
    package = read_package_json(read_text, workdir)
    scripts = package.get("scripts") if package else None
    script = scripts.get(name) if isinstance(scripts, dict) else None
    if script is None and name == "start" and manager == "npm":
        script = "node server.js"  # npm's default start script
    if not isinstance(script, str):
        return None
    last = _last_command(script)
    return _entry_of_command(last, read_text, workdir, depth + 1) if last else None


def _last_command(script: str) -> tuple[str, ...]:
    """The words of the last command of ``build && node dist/main.js``: the one that keeps running."""
    lexer = shlex.shlex(script, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    try:
        for token in lexer:
            if token and set(token) <= set(";&|"):
                commands.append([])
            else:
                commands[-1].append(token)
    except ValueError:
        return ()
    non_empty = [command for command in commands if command]
    return tuple(non_empty[-1]) if non_empty else ()


def _script_argument(args: tuple[str, ...], skip_first: tuple[str, ...] = ()) -> str | None:
    """The file ``node [options] <file> [args]`` runs, or None (``node -e``, a REPL)."""
    if args and args[0] in skip_first:
        args = args[1:]
    index = 0
    while index < len(args):
        word = args[index]
        index += 1
        if word == "--":
            return args[index] if index < len(args) else None
        if word in _NO_SCRIPT_OPTIONS:
            return None
        if word.startswith("-"):
            if word in _VALUE_OPTIONS:
                index += 1
            continue
        return word
    return None


def _resolve_entry(target: str, read_text: ReadText, workdir: str) -> str | None:
    path = _join(workdir, target)
    if path is None:
        return None
    return _resolve_file(path, read_text) or _resolve_directory(path, read_text)


def _resolve_file(path: str, read_text: ReadText) -> str | None:
    """``dist/server`` -> the first of dist/server, dist/server.js, .mjs, ... that exists."""
    if not path:
        return None
    candidates = [path]
    extension = posixpath.splitext(path)[1]
    if extension in _TS_FOR_JS:
        candidates.append(path[: -len(extension)] + _TS_FOR_JS[extension])
    elif extension not in SCRIPT_EXTENSIONS:
        candidates.extend(path + ext for ext in SCRIPT_EXTENSIONS)
    return next((candidate for candidate in candidates if read_text(candidate) is not None), None)


def _resolve_directory(path: str, read_text: ReadText) -> str | None:
    """A folder runs its package.json ``main``, else its index file."""
    package = read_package_json(read_text, path)
    main = package.get("main") if package else None
    if isinstance(main, str) and main.strip():
        main_path = _join(path, main)
        if main_path is not None and main_path != path:
            found = _resolve_file(main_path, read_text) or _resolve_index(main_path, read_text)
            if found:
                return found
    return _resolve_index(path, read_text)


def _resolve_index(path: str, read_text: ReadText) -> str | None:
    return _resolve_file(posixpath.join(path, "index"), read_text)


class ShutdownHandling(Record):
    """What the app's source says about handling SIGTERM and SIGINT."""

    signals: frozenset[str]  # the signals the app listens for, e.g. {"SIGINT", "SIGTERM"}
    file: str | None  # the first file (breadth-first from the entry) that registers one
    library: str | None  # the first package found that registers handlers; None when only the app's code does
    files_scanned: tuple[str, ...]
    complete: bool  # False when the scan stopped at MAX_FILES or MAX_CHARS before the end
    close_helpers: tuple[str, ...]  # imported packages that close servers but listen for no signal

    def __init__(
        self,
        signals: frozenset[str],
        file: str | None,
        library: str | None,
        files_scanned: tuple[str, ...],
        complete: bool,
        close_helpers: tuple[str, ...] = (),
    ) -> None:
        self.__dict__.update(
            signals=signals,
            file=file,
            library=library,
            files_scanned=files_scanned,
            complete=complete,
            close_helpers=close_helpers,
        )

    @property
    def handles_sigterm(self) -> bool:
        return "SIGTERM" in self.signals

    @property
    def handles_sigint(self) -> bool:
        return "SIGINT" in self.signals


# Packages that register signal handlers themselves when used, with the signals they listen for by default.
SHUTDOWN_LIBRARIES: dict[str, frozenset[str]] = {
    "close-with-grace": frozenset({"SIGINT", "SIGTERM"}),
    "@godaddy/terminus": frozenset({"SIGTERM"}),  # its `signal`/`signals` options change that
    "lightship": frozenset({"SIGTERM", "SIGHUP", "SIGINT"}),
    "fastify-graceful-shutdown": frozenset({"SIGINT", "SIGTERM"}),
    "exit-hook": frozenset({"SIGINT", "SIGTERM"}),
    "async-exit-hook": frozenset({"SIGINT", "SIGTERM"}),
}
# Packages that help close servers but leave listening for signals to the app.
CLOSE_HELPERS = frozenset({"http-terminator", "stoppable", "@nestjs/terminus"})
# NestJS's app.enableShutdownHooks() without arguments listens for every ShutdownSignal.
NEST_SHUTDOWN_SIGNALS = frozenset(
    {"SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGSEGV", "SIGUSR2", "SIGTERM"}
)

_CODE_TOKENS = LazyPattern(
    r"""(?P<string>'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`)"""
    r"""|(?P<comment>//[^\n]*|/\*[\s\S]*?(?:\*/|\Z))"""
)
_LISTEN = r"\bprocess\s*\.\s*(?:on|once|addListener|prependListener|prependOnceListener)\s*\(\s*"
_DIRECT_HANDLER = LazyPattern(_LISTEN + r"""(['"`])(SIG[A-Z0-9]+)\1""")
_VARIABLE_HANDLER = LazyPattern(_LISTEN + r"[A-Za-z_$][\w$.]*\s*(?:,|\)|as\b)")
_SIGNAL_LIST = LazyPattern(r"""\[\s*(?:(['"])SIG[A-Z0-9]+\1\s*,\s*)*(['"])SIG[A-Z0-9]+\2\s*,?\s*\]""")
_SIGNAL_KEY = LazyPattern(r"""[{,]\s*(['"]?)(SIG[A-Z0-9]+)\1\s*:""")
_SIGNAL_NAME = LazyPattern(r"SIG[A-Z0-9]+")
_SPECIFIER = LazyPattern(r"""(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"])([^'"\n]+)\1""")
_TERMINUS_SIGNALS = LazyPattern(r"\bsignals\s*:\s*\[([^\]]*)\]")
_TERMINUS_SIGNAL = LazyPattern(r"""\bsignal\s*:\s*(['"])(SIG[A-Z0-9]+)\1""")
_NEST_HOOKS = LazyPattern(r"\.\s*enableShutdownHooks\s*\(([^)]*)\)")


def strip_comments(code: str) -> str:
    """JavaScript/TypeScript without its comments; strings (which may hold ``//``) stay."""
    return _CODE_TOKENS.sub(lambda match: match.group("string") or " ", code)


def handles_shutdown(entry: str, read_text: ReadText) -> ShutdownHandling:
    """Which signals the app registers handlers for, from its entry file and the relative files it imports."""
    queue, seen = deque([entry]), {entry}
    scanned: list[str] = []
    signals: set[str] = set()
    first_file = library = None
    helpers: set[str] = set()
    total, complete = 0, True
    while queue:
        if len(scanned) >= MAX_FILES:
            complete = False
            break
        path = queue.popleft()
        text = read_text(path)
        if text is None:
            continue
        total += len(text)
        if total > MAX_CHARS:
            complete = False
            break
        scanned.append(path)
        code = strip_comments(text)
        found, found_library = _signals_in(code)
        if found and first_file is None:
            first_file = path
        library = library or found_library
        signals |= found
        for specifier in _specifiers(code):
            if specifier.startswith("."):
                resolved = _resolve_import(path, specifier, read_text, seen)
                if resolved is not None:
                    seen.add(resolved)
                    queue.append(resolved)
            elif _package_name(specifier) in CLOSE_HELPERS:
                helpers.add(_package_name(specifier))
    return ShutdownHandling(frozenset(signals), first_file, library, tuple(scanned), complete, tuple(sorted(helpers)))


def _specifiers(code: str) -> list[str]:
    return [match.group(2) for match in _SPECIFIER.finditer(code)]


def _package_name(specifier: str) -> str:
    parts = specifier.split("/")
    return "/".join(parts[:2]) if specifier.startswith("@") else parts[0]


def _signals_in(code: str) -> tuple[set[str], str | None]:
    """The signals one file listens for, and the package (if any) that registers some of them."""
    signals = {match.group(2) for match in _DIRECT_HANDLER.finditer(code)}
    if _VARIABLE_HANDLER.search(code):
        for match in _SIGNAL_LIST.finditer(code):
            signals.update(_SIGNAL_NAME.findall(match.group(0)))
        signals.update(match.group(2) for match in _SIGNAL_KEY.finditer(code))
    library = None
    for match in _NEST_HOOKS.finditer(code):
        signals |= set(_SIGNAL_NAME.findall(match.group(1))) or NEST_SHUTDOWN_SIGNALS
        library = library or "@nestjs/core"
    for specifier in _specifiers(code):
        name = _package_name(specifier)
        if name in SHUTDOWN_LIBRARIES:
            signals |= _library_signals(name, code)
            library = library or name
    return signals, library


def _library_signals(name: str, code: str) -> set[str]:
    signals = set(SHUTDOWN_LIBRARIES[name])
    if name == "@godaddy/terminus":
        single = _TERMINUS_SIGNAL.search(code)
        if single:
            signals = {single.group(2)}
        for listed in _TERMINUS_SIGNALS.finditer(code):
            signals.update(_SIGNAL_NAME.findall(listed.group(1)))
    return signals


def _resolve_import(importer: str, specifier: str, read_text: ReadText, seen: set[str]) -> str | None:
    """``./lib/server`` from ``src/index.ts`` -> ``src/lib/server.ts`` (or .js, /index.js, ...)."""
    path = _join(posixpath.dirname(importer), specifier)
    if path is None:
        return None
    extension = posixpath.splitext(path)[1]
    candidates = [path]
    if extension in _TS_FOR_JS:
        candidates.append(path[: -len(extension)] + _TS_FOR_JS[extension])
    elif extension not in SCRIPT_EXTENSIONS:
        candidates = [path + ext for ext in SCRIPT_EXTENSIONS]
        candidates += [f"{path}/index{ext}" if path else f"index{ext}" for ext in SCRIPT_EXTENSIONS]
    for candidate in candidates:
        if candidate in seen:
            return None
        if read_text(candidate) is not None:
            return candidate
    return None
