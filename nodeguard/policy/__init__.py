"""The YAML policy: which rules run, how severe they are, and where."""
from __future__ import annotations

from collections.abc import Mapping, Sequence, Set

from nodeguard.findings import Severity
from nodeguard.policy.globs import matches, matches_any
from nodeguard.record import Record, replace

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from typing import Any

    from nodeguard.rules.base import Rule


class PolicyError(Exception):
    """A policy that cannot be used. ``str()`` is the one message the user sees: ``file:line: key: problem``."""

    def __init__(self, path: str, message: str, line: int | None = None, key: str | None = None):
        self.path, self.line, self.key, self.message = path, line, key, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {key + ': ' if key else ''}{message}")
        self.errors: tuple[PolicyError, ...] = (self,)

    @classmethod
    def of_all(cls, errors: Sequence[PolicyError]) -> PolicyError:
        """One error standing for several: the first's attributes, and ``str()`` lists them all, one a
        line; ``errors`` holds each."""
        first = errors[0]
        combined = cls(first.path, first.message, first.line, first.key)
        combined.errors = tuple(errors)
        combined.args = ("\n".join(str(error) for error in errors),)
        return combined


class RuleSetting(Record):
    """Whether a rule runs, at which severity, with which options."""

    enabled: bool
    severity: Severity
    options: Mapping[str, Any]

    def __init__(self, enabled: bool, severity: Severity, options: Mapping[str, Any]) -> None:
        self.__dict__.update(enabled=enabled, severity=severity, options=options)


class Override(Record):
    """Rule settings for the files that match some globs."""

    files: tuple[str, ...]  # globs over repository-relative posix paths
    rules: Mapping[str, RuleSetting]  # only the rules the override names

    def __init__(self, files: tuple[str, ...], rules: Mapping[str, RuleSetting]) -> None:
        self.__dict__.update(files=files, rules=rules)


class Policy(Record):
    """The resolved policy: every rule's setting and the run's settings."""

    source: str  # the file it came from, or "builtin:recommended"
    rules: Mapping[str, RuleSetting]  # every known rule id -> its setting
    fail_on: Severity | None  # None: never fail
    include: tuple[str, ...]  # globs; empty means every discovered file
    exclude: tuple[str, ...]
    overrides: tuple[Override, ...]
    pragmas: str  # allow | require-reason | off
    contexts: Mapping[str, str]  # Dockerfile glob -> build context folder
    registries: Mapping[str, Mapping[str, str]]  # "docker.io" -> {"mirror": URL}

    def __init__(
        self,
        source: str,
        rules: Mapping[str, RuleSetting],
        fail_on: Severity | None = Severity.ERROR,
        include: tuple[str, ...] = (),
        exclude: tuple[str, ...] = (),
        overrides: tuple[Override, ...] = (),
        pragmas: str = "allow",
        contexts: Mapping[str, str] | None = None,
        registries: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.__dict__.update(
            source=source,
            rules=rules,
            fail_on=fail_on,
            include=include,
            exclude=exclude,
            overrides=overrides,
            pragmas=pragmas,
            contexts={} if contexts is None else contexts,
            registries={} if registries is None else registries,
        )

    def settings_for(self, path: str) -> Mapping[str, RuleSetting]:
        """The rule settings for one repository-relative file, overrides applied in order."""
        settings = dict(self.rules)
        for override in self.overrides:
            if matches_any(override.files, path):
                settings.update(override.rules)
        return settings

    def context_for(self, dockerfile_path: str) -> str | None:
        """The build context folder the policy maps this Dockerfile to, or None for its own folder."""
        return next((folder for glob, folder in self.contexts.items() if matches(glob, dockerfile_path)), None)

    def selects(self, path: str) -> bool:
        """True when include/exclude let this repository-relative path be checked."""
        included = not self.include or matches_any(self.include, path)
        return included and not matches_any(self.exclude, path)


ALWAYS_REPORTED = frozenset({"NG001", "NG005"})  # unreadable input and internal errors: never selected away


def select_rules(policy: Policy, select: Set[str], ignore: Set[str]) -> Policy:
    """``policy`` with only the rules in ``select`` enabled (when it names any; besides NG001 and NG005),
    and those in ``ignore`` disabled, everywhere, overrides included: the command line has the last word."""

    def adjusted(rule_id: str, setting: RuleSetting) -> RuleSetting:
        if rule_id in ignore or (select and rule_id not in select and rule_id not in ALWAYS_REPORTED):
            return replace(setting, enabled=False)
        return replace(setting, enabled=True) if rule_id in select else setting

    return replace(
        policy,
        rules={rule_id: adjusted(rule_id, setting) for rule_id, setting in policy.rules.items()},
        overrides=tuple(
            replace(override, rules={rule_id: adjusted(rule_id, s) for rule_id, s in override.rules.items()})
            for override in policy.overrides
        ),
    )


def load_policy(config: str | None, start_dir: str = ".", rules: Sequence[Rule] | None = None) -> Policy:
    """The policy from ``config``, or found as .github/nodeguard.yml / .nodeguard.yml from start_dir up to
    the repository root, or the built-in ``recommended``. ``rules`` defaults to every registered rule.
    Raises PolicyError."""
    from nodeguard.policy.loader import load

    return load(config, start_dir, rules)
