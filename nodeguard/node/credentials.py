"""Package-manager registry credentials: where npm, Yarn and pnpm read a token from, and RUN commands
that write one into a configuration file."""
from __future__ import annotations

import posixpath
from collections.abc import Iterable

from nodeguard.model.copies import context_copy
from nodeguard.model.ignore import clean_path
from nodeguard.model.image import Stage, Step
from nodeguard.model.shell import Command
from nodeguard.node.packages import is_secret_name
from nodeguard.patterns import LazyPattern
from nodeguard.record import Record

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from nodeguard.model.context import BuildContext

RC_FILES = (".npmrc", ".yarnrc", ".yarnrc.yml")
# Keys that hold a credential in .npmrc (``//host/:_authToken``, ``_auth``, ``_password``) and
# .yarnrc.yml (``npmAuthToken``, ``npmAuthIdent``).
_AUTH_KEY = LazyPattern(r"(?i)(?:_authToken|_auth|_password|npmAuthToken|npmAuthIdent)")
_VALUE_START = LazyPattern(r"""[\s=:'"]*""")
_VARIABLE_REFERENCE = LazyPattern(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
# Environment variables the package managers read as credentials without any configuration file.
TOKEN_VARIABLES_READ_DIRECTLY = frozenset(
    {"NPM_CONFIG__AUTH", "NPM_CONFIG__AUTHTOKEN", "NPM_CONFIG__PASSWORD", "YARN_NPM_AUTH_TOKEN", "YARN_NPM_AUTH_IDENT"}
)
NPM_TOKEN_NAMES = frozenset({"NPM_TOKEN", "NPM_AUTH_TOKEN", "NODE_AUTH_TOKEN", "NPM_CONFIG__AUTHTOKEN"})
_CONFIG_SETTERS = {"npm": ("config", "set"), "pnpm": ("config", "set"), "yarn": ("config", "set")}
_CONFIG_REMOVERS = frozenset({"delete", "rm", "unset"})


def is_rc_file(path: str) -> bool:
    return posixpath.basename(path.rstrip("/")) in RC_FILES


class CredentialWrite(Record):
    """A command of a RUN that stores a registry credential in a configuration file."""

    command: Command
    file: str  # ".npmrc", "~/.npmrc", "the user's .yarnrc.yml"...
    removed_in_same_run: bool

    def __init__(self, command: Command, file: str, removed_in_same_run: bool) -> None:
        self.__dict__.update(command=command, file=file, removed_in_same_run=removed_in_same_run)


def credential_writes(commands: Iterable[Command], heredoc_bodies: Iterable[tuple[str, bool]] = ()) -> list[CredentialWrite]:
    """The commands that write a real credential (not a ``${VAR}`` reference kept for later) to an rc file.

    ``heredoc_bodies`` are the RUN's here-documents as (body, expanded): a body fed to ``cat > .npmrc``.
    """
    commands = list(commands)
    bodies = list(heredoc_bodies)
    removed = _removes_credentials(commands)
    writes = []
    for command in commands:
        file = written_rc_file(command) or _configured_file(command)
        if file is None:
            continue
        if _holds_credential(command.text, expanded=True) or _fed_credential(command, commands, bodies):
            writes.append(CredentialWrite(command, file, removed))
    return writes


def written_rc_file(command: Command) -> str | None:
    """The npm/Yarn configuration file a command writes to (``> .npmrc``, ``tee -a ~/.npmrc``), if any."""
    for operator, target in command.redirects:
        if operator.lstrip("0123456789") in (">", ">>", ">|") and is_rc_file(target):
            return target
    if command.program == "tee":
        return next((word for word in command.argv[1:] if is_rc_file(word)), None)
    return None


def _configured_file(command: Command) -> str | None:
    """``npm config set //registry/:_authToken …``: the rc file the setting lands in."""
    setter = _CONFIG_SETTERS.get(command.program)
    words = [word for word in command.argv[1:] if not word.startswith("-")]
    if setter is None or not words:
        return None
    is_setter = tuple(words[:2]) == setter or (command.program in ("npm", "pnpm") and words[0] == "set")
    if not is_setter or not any(_AUTH_KEY.search(word) for word in words):
        return None
    return "~/.yarnrc.yml" if command.program == "yarn" else "~/.npmrc"


def _fed_credential(command: Command, commands: list[Command], bodies: list[tuple[str, bool]]) -> bool:
    """A credential reaching the file through a here-document (``cat <<EOF > .npmrc``) or a pipe into tee."""
    if command.program == "cat" and len(command.argv) == 1:
        return any(_holds_credential(body, expanded) for body, expanded in bodies)
    if command.program == "tee":
        return any(_holds_credential(other.text, expanded=True) for other in commands if other is not command)
    return False


def _holds_credential(text: str, expanded: bool) -> bool:
    """True when ``text`` sets a credential key to a real value: a literal, or a variable the shell expands."""
    for match in _AUTH_KEY.finditer(text):
        value_start = _VALUE_START.match(text, match.end())  # matches "" at least
        start = value_start.end() if value_start else match.end()
        value = text[start:]
        if not value or value[0] in "\n;&|)":
            continue
        if not value.startswith(("$", "\\$")):
            return True
        if expanded and not value.startswith("\\$") and _quote_at(text, start) != "'":
            return True
    return False


def _quote_at(text: str, index: int) -> str | None:
    """The quote character in force at ``index`` of a shell text ("'", '"' or None)."""
    quote = None
    position = 0
    while position < index:
        char = text[position]
        if char == "\\" and quote != "'":
            position += 2
            continue
        if quote is None and char in "'\"":
            quote = char
        elif char == quote:
            quote = None
        position += 1
    return quote


def _removes_credentials(commands: list[Command]) -> bool:
    for command in commands:
        if command.program == "rm" and any(is_rc_file(word) for word in command.argv[1:]):
            return True
        words = [word for word in command.argv[1:] if not word.startswith("-")]
        if command.program in _CONFIG_SETTERS and words[:1] == ["config"] and words[1:2] and words[1] in _CONFIG_REMOVERS:
            return True
    return False


def referenced_variables(text: str) -> set[str]:
    """Names of the variables ``text`` refers to: ``$NPM_TOKEN``, ``${NPM_TOKEN}``."""
    return set(_VARIABLE_REFERENCE.findall(text))


def credential_variables(rc_text: str) -> set[str]:
    """The variables an .npmrc or .yarnrc.yml takes its credentials from (``_authToken=${NPM_TOKEN}``)."""
    names: set[str] = set()
    for line in rc_text.splitlines():
        if _AUTH_KEY.search(line):
            names |= referenced_variables(line)
    return names


def holds_literal_credential(rc_text: str) -> bool:
    """True when an .npmrc or .yarnrc.yml file stores a credential itself rather than a ``${VAR}``."""
    return any(_holds_credential(line, expanded=False) for line in rc_text.splitlines() if not line.lstrip().startswith(("#", ";")))


def npmrc_mount(workdir: str, command: str = "npm ci") -> str:
    """The secret-mount form of an install that needs an .npmrc."""
    target = posixpath.join(workdir or "/", ".npmrc")
    return f"`RUN --mount=type=secret,id=npmrc,target={target} {command}`"


def token_mount(name: str, command: str = "npm ci") -> str:
    """The secret-mount form of an install that needs a token in an environment variable."""
    return f"`RUN --mount=type=secret,id={name.lower()},env={name} {command}`"


def mount_for_rc_file(file: str, workdir: str) -> str:
    """The secret-mount form that replaces a copied or written npm/Yarn configuration file."""
    if "yarnrc" in file:
        return token_mount("YARN_NPM_AUTH_TOKEN", "yarn install --immutable")
    return npmrc_mount(workdir)


def uses_secret_mount(step: Step) -> bool:
    """True when a RUN mounts a build secret (``--mount=type=secret,...``)."""
    return any(mount.kind == "secret" for mount in step.mounts)


def rc_files_before(stage: Stage, install_step: Step, context: BuildContext) -> tuple[set[str], bool]:
    """Variables the rc files present before ``install_step`` take credentials from, and whether some
    copied rc file could not be read."""
    variables: set[str] = set()
    unreadable = False
    for step in stage.all_steps():
        if step is install_step:
            break
        copy = context_copy(step)
        if copy is not None:
            for source in copy.sources:
                if clean_path(source) == ".":
                    paths = list(RC_FILES)
                elif posixpath.basename(source.rstrip("/")) in RC_FILES:
                    paths = [clean_path(source)]
                else:
                    continue
                for path in paths:
                    text = context.read_text(path)
                    if text is None and clean_path(source) != ".":
                        unreadable = True
                    variables |= credential_variables(text or "")
        elif (step.keyword == "RUN" and any(written_rc_file(command) for command in step.commands)
              and not credential_writes(step.commands)):  # a file that keeps ``${NPM_TOKEN}`` for later
            variables |= credential_variables(step.script)
    return variables, unreadable


def is_npm_token_name(name: str) -> bool:
    """True for the names npm, Yarn and their setup actions give registry tokens: ``NPM_TOKEN``,
    ``NODE_AUTH_TOKEN`` (actions/setup-node), ``NPM_CONFIG__AUTH``, ``YARN_NPM_AUTH_TOKEN``."""
    upper = name.upper()
    return upper in TOKEN_VARIABLES_READ_DIRECTLY or upper in NPM_TOKEN_NAMES


def read_directly(name: str, manager: str) -> bool:
    """True when the package manager reads this variable as a credential without any file."""
    upper = name.upper()
    return upper in TOKEN_VARIABLES_READ_DIRECTLY and (manager == "yarn" or not upper.startswith("YARN_"))


def install_token_arguments(stage: Stage, step: Step, manager: str, context: BuildContext) -> list[str]:
    """The build arguments an install step (of ``manager``) takes its registry token from."""
    arguments = [name for name in step.args if name not in step.env]
    if not arguments:
        return []
    referenced = referenced_variables(step.script)
    from_files, unreadable = rc_files_before(stage, step, context)
    found = []
    for name in arguments:
        if (read_directly(name, manager) or name in from_files
                or (is_secret_name(name) and (name in referenced or unreadable))):
            found.append(name)
    return found


def token_arguments_written(step: Step) -> set[str]:
    """The build arguments (ARGs in force, not shadowed by an ENV) whose value a RUN writes into an rc file."""
    if step.keyword != "RUN":
        return set()
    arguments = {name for name in step.args if name not in step.env}
    bodies = [(heredoc.body, not heredoc.quoted) for heredoc in step.instruction.heredocs]
    names: set[str] = set()
    for write in credential_writes(step.commands, bodies):
        names |= referenced_variables(write.command.text)
    for body, expanded in bodies:
        if expanded:
            names |= credential_variables(body)
    return names & arguments
