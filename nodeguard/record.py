"""``Record``: the base of the value classes a check creates, in place of ``dataclasses``.

A dataclass writes and compiles its ``__init__``, ``__eq__``, ``__hash__`` and ``__repr__`` (frozen, also
``__setattr__`` and ``__delattr__``) when its module is imported: half a millisecond a class, which every run
pays for each of the fifty classes on the path of a check, however small the check. A ``Record`` declares its
fields as a dataclass does and writes its ``__init__``; equality, hashing, ``repr`` and ``replace`` read the
fields from the declarations once, when the class is made, and nothing is compiled at import.

As with a dataclass: a record is frozen (``frozen=False`` in the class statement makes it mutable and
unhashable); records are equal when they are of the same class and their fields are equal; ``_uncompared``
names fields that hold caches, left out of equality, hashing and ``repr``. The type checker reads a record as
the dataclass it stands for (``dataclass_transform``), so it refuses to assign a frozen record's fields.
"""
from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter

# Not ``from typing import TYPE_CHECKING``: importing ``typing`` costs a check 3 ms, and the type checker reads
# any name ``TYPE_CHECKING`` as true. What follows it is for the type checker only (annotations are not
# evaluated), so nothing on the path of a check imports ``typing``.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, TypeVar
    from typing import dataclass_transform as dataclass_transform

    _T = TypeVar("_T")
else:
    def dataclass_transform(**kwargs: object) -> Callable[[type], type]:
        """``typing.dataclass_transform`` at run time: it only marks the class for type checkers."""
        return lambda cls: cls


class FrozenInstanceError(AttributeError):
    """A field of a frozen record was assigned or deleted."""


@dataclass_transform(frozen_default=True)
class Record:
    _uncompared: ClassVar[tuple[str, ...]] = ()
    _fields: ClassVar[tuple[str, ...]] = ()  # every field, in the order ``__init__`` takes them
    _compared: ClassVar[tuple[str, ...]] = ()
    _values: ClassVar[Any]  # a record's compared fields as one tuple

    def __init_subclass__(cls, frozen: bool = True, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        annotations = cls.__dict__.get("__annotations__", {})
        cls._fields = tuple(name for name, kind in annotations.items() if not str(kind).startswith("ClassVar"))
        cls._compared = tuple(name for name in cls._fields if name not in cls._uncompared)
        cls._values = staticmethod(_values_getter(cls._compared))
        if not frozen:
            cls.__setattr__ = object.__setattr__  # type: ignore[method-assign,assignment]
            cls.__delattr__ = object.__delattr__  # type: ignore[method-assign,assignment]
            cls.__hash__ = None  # type: ignore[assignment]

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(self._values(self) == self._values(other))

    def __hash__(self) -> int:
        return hash(self._values(self))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._compared)
        return f"{self.__class__.__qualname__}({shown})"


def _values_getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        getter = attrgetter(names[0])
        return lambda record: (getter(record),)
    return lambda record: ()


def replace(record: _T, **changes: Any) -> _T:
    """A copy of ``record`` (or of a dataclass) with ``changes``, as ``dataclasses.replace`` makes one."""
    if not isinstance(record, Record):
        import dataclasses

        return dataclasses.replace(record, **changes)  # type: ignore[type-var]
    values = {name: getattr(record, name) for name in record._fields}
    values.update(changes)
    made: _T = record.__class__(**values)
    return made
