"""Reads a policy file's YAML with the line of every key, so that each problem can name its line."""
from __future__ import annotations

from collections.abc import Sequence

from nodeguard.policy import PolicyError
from nodeguard.record import Record

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from typing import Any

    import yaml  # imported where a policy file is read, so that runs without one never load PyYAML

TEXT_TAG = "tag:yaml.org,2002:str"
MERGE_TAG = "tag:yaml.org,2002:merge"  # ``<<: *defaults``
TAG_WORDS = {"bool": "true or false", "int": "a number", "float": "a number", "null": "empty", "timestamp": "a date"}
MAX_NODES = 20_000  # aliases can make a small file expand to a huge document


class YamlFile(Record):
    """A YAML document's data, with its nodes for the line of each key."""

    path: str  # as shown in messages
    data: Any
    root: yaml.Node | None  # None for an empty document

    def __init__(self, path: str, data: Any, root: yaml.Node | None) -> None:
        self.__dict__.update(path=path, data=data, root=root)

    def line_of(self, path: Sequence[str | int]) -> int:
        """The line of the deepest key or item of ``path`` that the file has."""
        node = self.root
        if node is None:
            return 1
        line = node.start_mark.line + 1
        for part in path:
            child = _child(node, part)
            if child is None:
                break
            key_node, node = child
            line = key_node.start_mark.line + 1
        return line

    def error(self, path: Sequence[str | int], message: str) -> PolicyError:
        return PolicyError(self.path, message, self.line_of(path), key_name(path) or None)


def key_name(path: Sequence[str | int]) -> str:
    """``rules.NG101``, ``overrides[0].files[2]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node, yaml.Node] | None:
    """(the node that names the child, the child's value node)."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return key, value
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part], node.value[part]
    return None


def read_yaml(path: str, text: str) -> YamlFile:
    """The document in ``text``; a PolicyError for bad syntax, duplicate or non-text keys, or huge expansions."""
    import yaml

    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as error:  # a control character: the reader refuses the text at once
        raise _reader_error(path, text, error) from None
    try:
        root = loader.get_single_node()
        if root is not None:
            _check_keys(path, root)
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise PolicyError(path, f"invalid YAML: {error.problem or error.context}", line) from None
    except yaml.reader.ReaderError as error:
        raise _reader_error(path, text, error) from None
    except yaml.YAMLError as error:
        raise PolicyError(path, f"invalid YAML: {error}") from None
    except RecursionError:
        raise PolicyError(path, "the YAML is nested too deeply") from None
    finally:
        loader.dispose()
    return YamlFile(path, data, root)


def _reader_error(path: str, text: str, error: yaml.reader.ReaderError) -> PolicyError:
    """YAML allows no control character but tab and line breaks: say which one, and where."""
    position = min(max(error.position, 0), len(text))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    character = f"U+{error.character:04X}" if isinstance(error.character, int) else repr(error.character)
    return PolicyError(path, f"invalid YAML: {character}, a control character, at column {column}; "
                             "YAML allows no control characters but tab and line breaks", line)


def _check_keys(path: str, root: yaml.Node) -> None:
    """Duplicate keys (which YAML would silently resolve to the last one), keys that are not text,
    and documents that aliases expand beyond MAX_NODES."""
    import yaml

    visited = 0
    pending: list[tuple[yaml.Node, tuple[str | int, ...]]] = [(root, ())]
    while pending:
        node, where = pending.pop()
        visited += 1
        if visited > MAX_NODES:
            raise PolicyError(path, f"the document expands to more than {MAX_NODES} values (through aliases?)")
        if isinstance(node, yaml.SequenceNode):
            pending.extend((item, (*where, index)) for index, item in enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                line = key.start_mark.line + 1
                if not isinstance(key, yaml.ScalarNode):
                    raise PolicyError(path, "a key must be text, not a list or mapping", line, key_name(where) or None)
                problem = _key_problem(key, seen)
                if problem:
                    raise PolicyError(path, problem, line, key_name((*where, key.value)))
                seen[key.value] = line
                pending.append((value, (*where, key.value)))


def _key_problem(key: yaml.ScalarNode, seen: dict[str, int]) -> str | None:
    if key.tag == MERGE_TAG:
        return None
    if key.tag != TEXT_TAG:
        kind = key.tag.rsplit(":", 1)[-1]
        return f"YAML reads this key as {TAG_WORDS.get(kind, kind)}, not text; quote it"
    if key.value in seen:
        return f"given twice (first on line {seen[key.value]})"
    return None
