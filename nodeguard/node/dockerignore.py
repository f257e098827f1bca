"""What a Node.js project's ``.dockerignore`` must keep out of the build context."""
from __future__ import annotations

from nodeguard.model.context import BuildContext
from nodeguard.model.copies import explicitly_copied
from nodeguard.model.ignore import IgnoreFile
from nodeguard.model.image import Image
from nodeguard.node.packages import IGNORE_MUST_HAVE, IgnoreEntry
from nodeguard.node.workspaces import nested_node_modules


def missing_ignore_lines(image: Image, context: BuildContext, ignore: IgnoreFile | None) -> list[tuple[IgnoreEntry, list[str]]]:
    """The must-have entries ``ignore`` (None: no file at all) does not keep out, with the lines to add.

    ``node_modules`` becomes ``**/node_modules`` in a context that holds nested packages (a plain entry
    that misses them is NG905's); a path the Dockerfile copies by name is never asked for.
    """
    nested = nested_node_modules(context)
    copied = explicitly_copied(image)
    missing = []
    for entry in IGNORE_MUST_HAVE:
        pattern = entry.pattern
        lines = [pattern] if pattern not in copied and (ignore is None or not ignore.excludes(pattern)) else []
        if entry.pattern == "node_modules" and lines and nested:
            lines = ["**/node_modules"]
        if lines:
            missing.append((entry, lines))
    return missing
