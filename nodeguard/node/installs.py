"""The package-manager installs of a Dockerfile, and word-level edits of the RUN lines that hold them.

Read by the rules of practice 2.
"""
from __future__ import annotations

import bisect
import fnmatch
import posixpath
from collections.abc import Iterable

from nodeguard.findings import Fix
from nodeguard.fix_builders import edit_command_words
from nodeguard.model.copies import ContextCopy, context_copy_at
from nodeguard.model.ignore import clean_path
from nodeguard.model.image import Image, Step
from nodeguard.model.shell import Command
from nodeguard.node.images import describe_node_image
from nodeguard.node.packages import FIRST_LINE_WITH_NPM_OMIT, LOCKFILES, InstallCommand, classify_install
from nodeguard.node.releases import resolve_node_version
from nodeguard.record import Record

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from datetime import date

    from nodeguard.model.context import BuildContext

PACKAGE_JSON = "package.json"



class InstallUse(Record):
    """One package-manager command of a RUN step."""

    step: Step
    command: Command
    install: InstallCommand

    def __init__(self, step: Step, command: Command, install: InstallCommand) -> None:
        self.__dict__.update(step=step, command=command, install=install)

    @property
    def manager(self) -> str:
        return self.install.manager

    @property
    def text(self) -> str:
        return " ".join(self.command.argv)

    def variables(self) -> dict[str, str]:
        """The environment the command sees: ARG and ENV in force, and its own ``VAR=value`` prefixes."""
        values = {**{k: v for k, v in self.step.args.items() if v is not None}, **self.step.env}
        return {**values, **self.command.assignments}

    def production_by_environment(self) -> bool:
        """NODE_ENV=production (or npm's production/omit settings) makes the install skip devDependencies."""
        variables = {key.lower(): value.strip().lower() for key, value in self.variables().items()}
        return (
            variables.get("node_env") == "production"
            or variables.get("npm_config_production") in ("true", "1")
            or "dev" in variables.get("npm_config_omit", "").split(",")
        )

    def production_only(self) -> bool:
        if self.install.production_only is not None:
            return self.install.production_only
        return self.production_by_environment()


def install_uses(steps: Iterable[Step]) -> list[InstallUse]:
    """Every npm/yarn/pnpm/bun command of the RUN steps, in order."""
    uses = []
    for step in steps:
        for command in step.commands:
            install = classify_install(command.argv)
            if install is not None:
                uses.append(InstallUse(step, command, install))
    return uses


def installs_dependencies(use: InstallUse) -> bool:
    """An install of the app's dependencies from package.json (not a global tool, not one named package)."""
    return use.install.kind in ("install", "ci")


def edit_words(use: InstallUse, edits: dict[int, str]) -> Fix | None:
    """A fix that replaces argv words of the install command by index (``""`` removes one); None when the
    words cannot be located in the source text."""
    earlier = [command for command in use.step.commands[: use.step.commands.index(use.command)]
               if command.argv == use.command.argv]
    return edit_command_words(use.step.instruction, use.command.argv, len(earlier), edits)


def manager_index(use: InstallUse) -> int:
    """The index of the package manager's word: 0, or 1 after ``corepack``/``npx``."""
    for index, word in enumerate(use.command.argv):
        if word.rsplit("/", 1)[-1].split("@", 1)[0] == use.manager:
            return index
    return 0


def word_index(use: InstallUse, words: Iterable[str]) -> int | None:
    """The index of the first argv word after the manager that is one of ``words``."""
    wanted = set(words)
    start = manager_index(use) + 1
    return next((index for index, word in enumerate(use.command.argv[start:], start) if word in wanted), None)


def brings(source: str, path: str) -> bool:
    """True when a copied source (a file, a folder or a glob) brings the context file ``path``."""
    source = clean_path(source)
    if source in (".", ""):
        return True
    return path == source or path.startswith(source + "/") or fnmatch.fnmatchcase(path, source)


def copies_before(use: InstallUse, image: Image) -> list[ContextCopy]:
    """The context copies of the use's stage (lineage included) that come before it. Worked out once per
    stage and found by the step's identity: comparing steps field by field, once per install, grew as n²."""
    positions, copies = _stage_copies(image, use.step.stage_index)
    return copies[: bisect.bisect_left(positions, positions_of(image, use.step.stage_index).get(id(use.step), 0))]


def positions_of(image: Image, stage_index: int) -> dict[int, int]:
    key = f"step_positions:{stage_index}"
    if key not in image.derived:
        steps = image.stages[stage_index].all_steps()
        image.derived[key] = {id(step): position for position, step in enumerate(steps)}
    return image.derived[key]


def _stage_copies(image: Image, stage_index: int) -> tuple[list[int], list[ContextCopy]]:
    key = f"context_copies:{stage_index}"
    if key not in image.derived:
        found = [(position, context_copy_at(image, step))
                 for position, step in enumerate(image.stages[stage_index].all_steps())]
        found = [(position, copy) for position, copy in found if copy is not None]
        image.derived[key] = ([position for position, _ in found], [copy for _, copy in found])
    return image.derived[key]


def bind_sources(use: InstallUse) -> list[str]:
    """Context paths that ``RUN --mount=type=bind`` makes visible to the install ("." for a default source)."""
    sources = []
    for mount in use.step.mounts:
        if mount.kind == "bind" and not mount.option("from"):
            sources.append(mount.option("source", "src") or ".")
    return sources


def package_folder(copies: list[ContextCopy]) -> str:
    """The context folder package.json is copied from; the root when no copy names it."""
    for copy in copies:
        for source in copy.sources:
            if posixpath.basename(clean_path(source)) == PACKAGE_JSON:
                folder = posixpath.dirname(clean_path(source))
                return "" if folder == "." else folder
    return ""


def lockfiles_in(context: BuildContext, folder: str, manager: str) -> list[str]:
    """The manager's lockfiles in ``folder`` or the nearest folder above it that has one."""
    while True:
        found = [posixpath.join(folder, name) if folder else name for name in LOCKFILES[manager] if context.exists(posixpath.join(folder, name))]
        if found or not folder:
            return found
        folder = posixpath.dirname(folder)


def lockfile_in_place(use: InstallUse, image: Image, context: BuildContext) -> bool:
    """The install's lockfile is in the build context on disk, sent, and copied (or bind-mounted) before
    the install: then ``npm ci`` and frozen installs can follow it."""
    if not context.files_readable:
        return False
    copies = copies_before(use, image)
    lockfiles = [lockfile for lockfile in lockfiles_in(context, package_folder(copies), use.manager)
                 if context.is_sent(lockfile)]
    sources = [*bind_sources(use), *(source for copy in copies for source in copy.sources)]
    return any(brings(source, lockfile) for source in sources for lockfile in lockfiles)


def _upgrades_npm(command: Command) -> bool:
    """``npm install -g npm@10`` (or ``npm i -g npm``): the image's bundled npm is replaced."""
    argv = command.argv
    return command.program == "npm" and any(word == "npm" or word.startswith("npm@") for word in argv[2:])


def bundled_npm_lacks_omit(image: Image, use: InstallUse, today: date) -> bool:
    """The npm that runs ``use`` is the npm 6 (or older) of a Node.js 14-or-older image, never upgraded before
    it: it has no ``--omit``. False when the image, its line or its npm is not known. ``today`` decides which
    line a moving tag (``node:lts``) names."""
    stage = image.stages[use.step.stage_index]
    ref = stage.root_base
    facts = None if ref.unresolved else describe_node_image(ref)
    if facts is None or not facts.contains_node or facts.version is None:
        return False
    major = resolve_node_version(facts.version, today)
    if major is None or major >= FIRST_LINE_WITH_NPM_OMIT:
        return False
    for step in stage.all_steps():
        for command in step.commands:
            if step is use.step and command is use.command:
                return True
            if _upgrades_npm(command):
                return False
    return True
