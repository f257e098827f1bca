"""What a rule is: one module with its metadata, its documentation and a ``check`` function."""
from __future__ import annotations

import functools
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date

from nodeguard.findings import Finding, Fix, Severity
from nodeguard.record import Record, dataclass_transform

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from typing import Any, ClassVar, TypeVar

    from nodeguard.model.context import BuildContext
    from nodeguard.model.image import Image, Stage

    T = TypeVar("T")

    Check = Callable[[Image, BuildContext, Any], Iterable["Problem"]]

DOCS_URL = "https://github.com/nodeguard/nodeguard/blob/main/docs/rules/{id}.md"
# The names from ``typing`` the annotations of options and records use; their modules import them for the
# type checker only, so the options' field types are read with these given.
_TYPING_NAMES = ("Any", "ClassVar", "Literal")


def option(default: T, description: str) -> T:
    """A field of a rule's options that the policy may set (``rules: {NG504: {options: {init-provided:
    true}}}``; the policy writes ``_`` as ``-``): its one default, and the description the policy schema
    shows. A field with a plain default is set by nodeguard itself, never by a policy."""
    return _Option(default, description)  # type: ignore[return-value]


class _Option:
    """A declared option: its default, and its description when a policy may set it."""

    __slots__ = ("default", "description")

    def __init__(self, default: Any, description: str | None) -> None:
        self.default = default
        self.description = description


@dataclass_transform(frozen_default=True)
class Options(Record):
    """A rule's options: frozen fields declared as a dataclass declares them, each with its default
    (``option(default, description)`` for those a policy may set). Made once per run and rule, so one
    ``__init__`` that takes the fields by name serves every options class, and nothing is compiled at
    import (see ``nodeguard.record``)."""

    _declared: ClassVar[dict[str, _Option]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        missing = [name for name in cls._fields if name not in vars(cls)]
        if missing:
            raise TypeError(f"{cls.__name__}: an option needs a default: {', '.join(missing)}")
        cls._declared = {}
        for name in cls._fields:
            declared = vars(cls)[name]
            cls._declared[name] = declared if isinstance(declared, _Option) else _Option(declared, None)
            setattr(cls, name, cls._declared[name].default)  # as a dataclass's class attribute: the default

    def __init__(self, **values: Any) -> None:
        unknown = sorted(set(values) - set(self._declared))
        if unknown:
            raise TypeError(f"{self.__class__.__name__} has no option {unknown[0]!r}")
        self.__dict__.update({name: values[name] if name in values else declared.default
                              for name, declared in self._declared.items()})


class NoOptions(Options):
    """The options of a rule that takes none."""


class TodayOptions(Options):
    """The option of the rules that judge the Node.js release schedule (NG101, NG103, NG104, NG701)."""

    today: date | None = option(None, "judge the release schedule as on this day (YYYY-MM-DD); unset: the day of the run")


def policy_options(options_type: type) -> list[tuple[str, Any, Any, str]]:
    """The options a policy may set, in the order declared: (name as the policy writes it, type, default
    as JSON writes it, description)."""
    declared = _field_types(options_type)
    return [
        (name.replace("_", "-"), declared[name], _as_json(item.default), item.description)
        for name, item in _declared(options_type).items()
        if item.description is not None
    ]


def make_options(options_type: type, values: Mapping[str, Any]) -> Any:
    """An options object: the defaults, with the values the policy (already checked against the schema)
    or nodeguard sets, each made the field's type (a date from its text, a tuple from a list)."""
    if not values:
        return _defaults(options_type)
    declared = _field_types(options_type)
    given = {key.replace("-", "_"): value for key, value in values.items()}
    return options_type(**{name: _as_type(declared[name], value) for name, value in given.items()})


def _declared(options_type: type) -> dict[str, _Option]:
    if not issubclass(options_type, Options):
        raise TypeError(f"{options_type.__name__} is not a rule's Options")
    return options_type._declared


def _as_json(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_as_json(item) for item in value]
    return value.isoformat() if isinstance(value, date) else value


@functools.cache
def _defaults(options_type: type) -> Any:
    return options_type()


@functools.cache
def _field_types(options_type: type) -> dict[str, Any]:
    import typing  # only a policy's options and the schema read the field types: a plain check does not

    return typing.get_type_hints(options_type, localns={name: getattr(typing, name) for name in _TYPING_NAMES})


def _as_type(kind: Any, value: Any) -> Any:
    import typing

    if value is None:
        return None
    if kind is date:
        return value if isinstance(value, date) else date.fromisoformat(value) if value else None
    origin = typing.get_origin(kind)
    if origin is tuple:
        return tuple(_as_type(typing.get_args(kind)[0], item) for item in value)
    if origin is typing.Union or origin is types.UnionType:
        (inner,) = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return _as_type(inner, value)
    return value


class Problem(Record):
    """What a rule reports; the engine turns it into a Finding with the rule's metadata and severity."""

    line: int
    message: str
    end_line: int | None  # defaults to line
    fix: Fix | None
    path: str | None  # another file than the Dockerfile (a .dockerignore), as the context names it
    severity: Severity | None  # a lesser case of the rule (an unresolved tag is info): caps the severity

    def __init__(
        self,
        line: int,
        message: str,
        end_line: int | None = None,
        fix: Fix | None = None,
        path: str | None = None,
        severity: Severity | None = None,
    ) -> None:
        self.__dict__.update(line=line, message=message, end_line=end_line, fix=fix, path=path, severity=severity)


def same_image_note(others: Sequence[Stage]) -> str:
    """What a finding on an image's first ``FROM`` says of the other stages built on the same image
    (``model.image.stages_by_base``): `` (the same image is the base on lines 10, 17 too)``; nothing when
    there are none."""
    if not others:
        return ""
    lines = ", ".join(str(stage.from_instruction.start_line) for stage in others)
    return f" (the same image is the base on line{'s' if len(others) > 1 else ''} {lines} too)"



class Rule(Record):
    """A rule: its identity, default severity, options and check."""

    id: str  # stable: NG<section><nn>, e.g. NG101
    name: str  # slug: base-image-tag
    section: int  # practice 1-10 (DEVELOPERS.md); 0 for nodeguard's own checks
    severity: Severity  # default severity in the recommended policy
    summary: str  # one line
    check: Check
    doc: str  # markdown: what, why, bad and good example, fix, options
    options: type  # its Options class; ``check`` receives an instance
    strict_severity: Severity | None  # severity under ``extends: strict`` when it differs
    fixable: bool

    def __init__(
        self,
        id: str,
        name: str,
        section: int,
        severity: Severity,
        summary: str,
        check: Check,
        doc: str,
        options: type = NoOptions,
        strict_severity: Severity | None = None,
        fixable: bool = False,
    ) -> None:
        self.__dict__.update(
            id=id,
            name=name,
            section=section,
            severity=severity,
            summary=summary,
            check=check,
            doc=doc,
            options=options,
            strict_severity=strict_severity,
            fixable=fixable,
        )

    @property
    def docs_url(self) -> str:
        return DOCS_URL.format(id=self.id)

    def options_from(self, values: Mapping[str, Any]) -> Any:
        """The options ``check`` receives for a setting's option values."""
        return make_options(self.options, values)

    def finding(self, problem: Problem, path: str, severity: Severity | None = None) -> Finding:
        """The one way a finding is made: the rule's identity, the problem's place and message, and the
        severity the policy gives the rule (``severity``; the rule's default when None), lowered to the
        problem's own when the rule marks the case as a lesser one. The policy's severity is never exceeded."""
        level = self.severity if severity is None else severity
        if problem.severity is not None:
            level = min(level, problem.severity)
        return Finding(
            rule=self.id,
            name=self.name,
            section=self.section,
            severity=level,
            path=problem.path or path,
            line=problem.line,
            end_line=problem.end_line or problem.line,
            message=problem.message,
            fix=problem.fix,
        )

SECTIONS = {
    0: "nodeguard's own checks",
    1: "Base image",
    2: "Production dependencies",
    3: "NODE_ENV=production",
    4: "Not root",
    5: "Signals and PID 1",
    6: "Graceful shutdown",
    7: "Vulnerabilities",
    8: "Multi-stage builds",
    9: ".dockerignore",
    10: "Secret mounts",
}
