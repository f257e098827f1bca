"""Records behave as the dataclasses they replace: equality, hashing, repr, frozen fields, replace, pickling."""
from __future__ import annotations

import copy
import pickle
from dataclasses import dataclass

import pytest

from nodeguard.findings import Finding, Fix, Severity
from nodeguard.model.shell import Command
from nodeguard.record import FrozenInstanceError, Record, replace


class Cached(Record):
    name: str
    cache: dict[str, int]  # not compared

    _uncompared = ("cache",)

    def __init__(self, name: str, cache: dict[str, int] | None = None) -> None:
        self.__dict__.update(name=name, cache={} if cache is None else cache)


class Growing(Record, frozen=False):
    items: list[int]

    def __init__(self, items: list[int]) -> None:
        self.__dict__.update(items=items)


def finding(**changes: object) -> Finding:
    values: dict = dict(rule="NG101", name="base-image-tag", section=1, severity=Severity.WARNING,
                        path="Dockerfile", line=1, end_line=1, message="m", fix=Fix(1, 1, "FROM node:22"))
    return Finding(**{**values, **changes})


def test_records_compare_and_hash_by_their_fields():
    assert finding() == finding() and hash(finding()) == hash(finding())
    assert finding() != finding(line=2)
    assert len({finding(), finding(), finding(line=2)}) == 2
    assert Cached("a", {"x": 1}) == Cached("a") and hash(Cached("a", {"x": 1})) == hash(Cached("a"))
    assert Cached("a") != Cached("b")


def test_records_of_other_classes_are_not_equal():
    assert Cached("a") != Growing([1])
    assert finding().__eq__("Finding") is NotImplemented


def test_repr_names_the_compared_fields():
    assert repr(Fix(1, 2, "x")) == "Fix(line=1, end_line=2, replacement='x', applicability=<Applicability.UNSAFE: 'unsafe'>)"
    assert repr(Cached("a", {"x": 1})) == "Cached(name='a')"


def test_a_frozen_record_refuses_assignment_and_deletion():
    record = finding()
    with pytest.raises(FrozenInstanceError):
        record.line = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del record.line  # type: ignore[misc]
    assert record.line == 1


def test_a_mutable_record_can_change_and_is_not_hashable():
    record = Growing([1])
    record.items = [1, 2]
    assert record == Growing([1, 2])
    with pytest.raises(TypeError):
        hash(record)


def test_replace_copies_a_record_with_changes_and_a_dataclass_too():
    original = finding()
    changed = replace(original, line=7, fix=None)
    assert (changed.line, changed.fix, changed.rule) == (7, None, "NG101") and original.line == 1

    @dataclass(frozen=True)
    class Plain:
        a: int

    assert replace(Plain(1), a=2) == Plain(2)


def test_records_survive_pickling_and_copying_as_the_process_pool_moves_them():
    for record in (finding(), Command(("npm", "ci"), {"CI": "1"}), Growing([1])):
        assert pickle.loads(pickle.dumps(record)) == record
        assert copy.deepcopy(record) == record


def test_a_cached_property_still_works_on_a_frozen_record():
    command = Command(("/usr/bin/npm", "ci"))
    assert command.program == "npm" and command.program == "npm"


def every_record_class() -> list[type[Record]]:
    import importlib
    import pkgutil

    import nodeguard

    for module in pkgutil.walk_packages(nodeguard.__path__, "nodeguard."):
        if not module.name.endswith("__main__"):  # it runs the command line
            importlib.import_module(module.name)
    found, waiting = [], list(Record.__subclasses__())
    while waiting:
        cls = waiting.pop()
        found.append(cls)
        waiting.extend(cls.__subclasses__())
    return [cls for cls in found if cls.__module__.startswith("nodeguard.")]


def assigned_in_init(cls: type) -> set[str]:
    """The names an ``__init__`` assigns: ``self.__dict__.update(name=...)`` keywords and ``self.name = ...``."""
    import ast
    import inspect
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(cls.__init__)))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update":
            names.update(keyword.arg for keyword in node.keywords if keyword.arg)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
    return names


def test_every_record_takes_and_sets_each_of_its_fields():
    """A record's ``__init__`` is written by hand: a field it forgets is an AttributeError on some path only,
    and ``replace`` passes every field by name."""
    import inspect

    from nodeguard.rules.base import Options

    records = every_record_class()
    assert len(records) > 40
    for cls in records:
        if cls.__init__ is Options.__init__:
            continue  # one __init__ for every options class, setting each declared option
        own_init = "__init__" in cls.__dict__
        assert own_init or not cls.__dict__.get("__annotations__"), f"{cls.__qualname__} declares fields but no __init__"
        if not own_init or not cls._fields:
            continue
        parameters = [name for name in inspect.signature(cls.__init__).parameters if name != "self"]
        assert set(parameters) >= set(cls._fields), f"{cls.__qualname__}.__init__ does not take {set(cls._fields) - set(parameters)}"
        missing = set(cls._fields) - assigned_in_init(cls)
        assert not missing, f"{cls.__qualname__}.__init__ does not set {missing}"
