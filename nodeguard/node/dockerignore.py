"""What a Node.js project's ``.dockerignore`` must keep out of the build context."""
from __future__ import annotations

from nodeguard.model.context import BuildContext
from nodeguard.model.copies import context_copies, explicitly_copied
from nodeguard.model.ignore import IgnoreFile
from nodeguard.model.image import Image
from nodeguard.node.installs import install_uses
from nodeguard.node.packages import DEBUG_LOGS, IGNORE_MUST_HAVE, LOCKFILES, IgnoreEntry
from nodeguard.node.workspaces import nested_node_modules


def missing_ignore_lines(image: Image, context: BuildContext, ignore: IgnoreFile | None) -> list[tuple[IgnoreEntry, list[str]]]:
    """The must-have entries ``ignore`` (None: no file at all) does not keep out, with the lines to add.

    ``node_modules`` becomes ``**/node_modules`` in a context that holds nested packages (a plain entry
    that misses them is NG905's); a path the Dockerfile copies by name is never asked for, nor one no copy
    from the context can take (``COPY package.json src ./`` never takes the root's ``.env``).
    """
    nested = nested_node_modules(context)
    copied = explicitly_copied(image)
    copies = context_copies(image)
    missing = []
    for entry in _must_have(project_package_manager(image, context)):
        pattern = entry.pattern
        lines = [pattern] if pattern not in copied and (ignore is None or not ignore.excludes(pattern)) else []
        if entry.pattern == "node_modules" and lines and nested:
            lines = ["**/node_modules"] if any(copy.may_take(path) for copy in copies for path in nested) else []
        elif not any(copy.may_take(pattern) for copy in copies):
            lines = []  # at the context root, where no copy reaches: keeping it out changes nothing
        if lines:
            missing.append((entry, lines))
    return missing


def project_package_manager(image: Image, context: BuildContext) -> str:
    """npm, yarn, pnpm or bun: the lockfile at the context's root says, else the Dockerfile's installs."""
    for manager, lockfiles in LOCKFILES.items():
        if manager != "npm" and any(context.exists(lockfile) for lockfile in lockfiles):
            return manager
    uses = [use for stage in image.stages for use in install_uses(stage.steps)]
    return uses[0].manager if uses else "npm"


def _must_have(manager: str) -> list[IgnoreEntry]:
    """IGNORE_MUST_HAVE with the project's own package-manager log in place of npm's."""
    log = DEBUG_LOGS.get(manager, DEBUG_LOGS["npm"])
    entries = []
    for entry in IGNORE_MUST_HAVE:
        if entry.pattern == DEBUG_LOGS["npm"]:
            if log is None:
                continue
            entry = IgnoreEntry(log, entry.reason)
        entries.append(entry)
    return entries
