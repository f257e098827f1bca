"""Finds the policy file, reads and checks it, and resolves it over the built-in preset it extends."""
from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from nodeguard.discover import RepositoryRoots
from nodeguard.findings import Severity
from nodeguard.policy import Override, Policy, PolicyError, RuleSetting
from nodeguard.policy.globs import compiled
from nodeguard.policy.yamlfile import YamlFile, read_yaml
from nodeguard.record import Record
from nodeguard.rules.base import Rule

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from typing import Any

POLICY_FILE_NAMES = (".github/nodeguard.yml", ".nodeguard.yml")
DEFAULT_PRESET = "recommended"
MAX_POLICY_BYTES = 1024 * 1024
KeyPath = tuple[str | int, ...]


class RuleEntry(Record):
    """One rule as a policy document sets it."""

    level: str | None  # "off", "on", a severity label; None keeps the level it had
    options: Mapping[str, Any]

    def __init__(self, level: str | None, options: Mapping[str, Any]) -> None:
        self.__dict__.update(level=level, options=options)


class PolicyDocument(Record):
    """A policy file or preset as read, before it is resolved over the presets it extends."""

    source: str
    extends: str | None
    settings: Mapping[str, Any]  # the other top-level keys, as written; each replaces the preset's
    rules: Mapping[str, RuleEntry]  # by rule ID
    overrides: tuple[tuple[tuple[str, ...], Mapping[str, RuleEntry]], ...]

    def __init__(
        self,
        source: str,
        extends: str | None,
        settings: Mapping[str, Any],
        rules: Mapping[str, RuleEntry],
        overrides: tuple[tuple[tuple[str, ...], Mapping[str, RuleEntry]], ...],
    ) -> None:
        self.__dict__.update(source=source, extends=extends, settings=settings, rules=rules, overrides=overrides)


def load(config: str | None, start_dir: str, rules: Sequence[Rule] | None) -> Policy:
    if rules is None:
        rules = _all_rules()
    if config is not None:
        document = read_document(Path(config), config, rules)
    else:
        found = find_policy_file(Path(start_dir))
        if found is None:
            return build_policy(preset_chain(DEFAULT_PRESET, rules), rules)
        document = read_document(found, os.path.relpath(found, Path(start_dir).resolve()), rules)
    return build_policy([*preset_chain(document.extends or DEFAULT_PRESET, rules), document], rules)


def find_policy_file(
    start_dir: Path, roots: RepositoryRoots | None = None, seen: dict[Path, Path | None] | None = None
) -> Path | None:
    """The first policy file from ``start_dir`` up to the repository root (only ``start_dir`` outside one).

    ``roots`` and ``seen`` (each folder's answer) keep what a run learnt of the folders above, so that each
    folder is looked at once however many files below it ask."""
    roots = RepositoryRoots() if roots is None else roots
    start = roots.real(start_dir)
    root = roots.of(start)
    seen = {} if seen is None else seen
    pending = []
    folder = start
    while folder not in seen:
        candidate = next((folder / name for name in POLICY_FILE_NAMES if os.path.lexists(folder / name)), None)
        if candidate is not None and not candidate.resolve().is_relative_to(root):
            raise PolicyError(str(candidate), "is a link to a file outside the repository")
        if candidate is not None or folder == root:
            seen[folder] = candidate
            break
        pending.append(folder)
        folder = folder.parent
    found = seen[folder]
    seen.update((each, found) for each in pending)
    return found


def read_document(path: Path, shown: str, rules: Sequence[Rule]) -> PolicyDocument:
    from nodeguard.policy.schema import policy_schema
    from nodeguard.policy.validation import validate

    file = _mapping_file(read_yaml(shown, read_text(path, shown)))
    validate(file, policy_schema(rules))
    return to_document(file, rules)


def read_text(path: Path, shown: str) -> str:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_POLICY_BYTES + 1)
    except FileNotFoundError:
        raise PolicyError(shown, "no such file") from None
    except IsADirectoryError:
        raise PolicyError(shown, "is a folder, not a policy file") from None
    except OSError as error:
        raise PolicyError(shown, f"cannot be read: {error.strerror or error}") from None
    if len(data) > MAX_POLICY_BYTES:
        raise PolicyError(shown, f"is larger than {MAX_POLICY_BYTES // 1024} KiB; a policy is a short YAML file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PolicyError(shown, "is not valid UTF-8 text", data.count(b"\n", 0, error.start) + 1) from None


def _mapping_file(file: YamlFile) -> YamlFile:
    """An empty file is an empty policy; anything but a mapping is an error."""
    if file.data is None:
        return YamlFile(file.path, {}, file.root)
    if not isinstance(file.data, dict):
        raise file.error((), "the policy must be a mapping of keys such as `extends` and `rules`")
    return file


def preset_chain(name: str, rules: Sequence[Rule]) -> list[PolicyDocument]:
    """The built-in preset ``name`` and the presets it extends, the most basic first. Presets are part
    of nodeguard and checked by its tests, so jsonschema is not imported for them, and they are read from
    their JSON twins (generated from the YAML), so PyYAML is not imported either."""
    text = (Path(__file__).parent / "presets" / f"{name}.json").read_text(encoding="utf-8")
    document = to_document(_mapping_file(YamlFile(f"builtin:{name}", json.loads(text), None)), rules)
    return [*preset_chain(document.extends, rules), document] if document.extends else [document]


def to_document(file: YamlFile, rules: Sequence[Rule]) -> PolicyDocument:
    """A validated document as rule entries and settings, after the checks a schema cannot make."""
    data = file.data
    for key in ("include", "exclude"):
        for index, glob in enumerate(data.get(key, ())):
            _check_glob(file, (key, index), glob)
    for glob, folder in data.get("contexts", {}).items():
        _check_glob(file, ("contexts", glob), glob)
        _check_context_folder(file, ("contexts", glob), folder)
    overrides = []
    for index, override in enumerate(data.get("overrides", ())):
        for position, glob in enumerate(override["files"]):
            _check_glob(file, ("overrides", index, "files", position), glob)
        entries = rule_entries(file, ("overrides", index, "rules"), override["rules"], rules)
        overrides.append((tuple(override["files"]), entries))
    return PolicyDocument(
        source=file.path,
        extends=data.get("extends"),
        settings={key: value for key, value in data.items() if key not in ("extends", "rules", "overrides")},
        rules=rule_entries(file, ("rules",), data.get("rules", {}), rules),
        overrides=tuple(overrides),
    )


def rule_entries(
    file: YamlFile, where: KeyPath, written: Mapping[str, Any], rules: Sequence[Rule]
) -> dict[str, RuleEntry]:
    by_name = {rule.id: rule for rule in rules} | {rule.name: rule for rule in rules}
    entries: dict[str, RuleEntry] = {}
    first_key: dict[str, str] = {}
    for key, value in written.items():
        rule_id = by_name[key].id
        if rule_id in entries:
            line = file.line_of((*where, first_key[rule_id]))
            raise file.error((*where, key), f"{rule_id} is already set on line {line}")
        first_key[rule_id] = key
        entries[rule_id] = _rule_entry(value)
    return entries


def _rule_entry(value: Any) -> RuleEntry:
    if isinstance(value, dict):
        level = value.get("severity")
        return RuleEntry(None if level is None else _level(level), dict(value.get("options", {})))
    return RuleEntry(_level(value), {})


def _level(value: str | bool) -> str:
    if isinstance(value, bool):  # YAML 1.1 reads a bare off/on as false/true
        return "on" if value else "off"
    return value


def _check_glob(file: YamlFile, where: KeyPath, glob: str) -> None:
    try:
        compiled(glob)
    except re.error as error:
        raise file.error(where, f"bad glob {glob!r}: {error.msg}") from None


def _check_context_folder(file: YamlFile, where: KeyPath, folder: str) -> None:
    normal = posixpath.normpath(folder.replace("\\", "/"))
    if normal.startswith("/") or normal == ".." or normal.startswith("../"):
        raise file.error(where, f"{folder!r} is not a folder inside the repository")


def build_policy(chain: Sequence[PolicyDocument], rules: Sequence[Rule]) -> Policy:
    """The policy of ``chain`` (presets first): top-level keys replace, rules merge, overrides add up."""
    written: dict[str, Any] = {}
    for document in chain:
        written.update(document.settings)
    strict = written.get("rule-severities") == "strict"
    settings = {rule.id: RuleSetting(True, _preset_severity(rule, strict), {}) for rule in rules}
    for document in chain:
        settings.update({rule_id: apply_entry(settings[rule_id], entry) for rule_id, entry in document.rules.items()})
    overrides = tuple(
        Override(files, {rule_id: apply_entry(settings[rule_id], entry) for rule_id, entry in entries.items()})
        for document in chain
        for files, entries in document.overrides
    )
    fail_on = written.get("fail-on", "error")
    return Policy(
        source=chain[-1].source,
        rules=settings,
        fail_on=None if fail_on == "never" else Severity.parse(fail_on),
        include=tuple(written.get("include", ())),
        exclude=tuple(written.get("exclude", ())),
        overrides=overrides,
        pragmas=_level(written.get("pragmas", "allow")),
        contexts=dict(written.get("contexts", {})),
        registries={name: dict(entry) for name, entry in written.get("registries", {}).items()},
    )


def _preset_severity(rule: Rule, strict: bool) -> Severity:
    return rule.strict_severity if strict and rule.strict_severity else rule.severity


def apply_entry(setting: RuleSetting, entry: RuleEntry) -> RuleSetting:
    """``setting`` changed by what ``entry`` writes; options add to (and replace) the ones before."""
    enabled, severity = setting.enabled, setting.severity
    if entry.level == "off":
        enabled = False
    elif entry.level == "on":
        enabled = True
    elif entry.level is not None:
        enabled, severity = True, Severity.parse(entry.level)
    return RuleSetting(enabled, severity, {**setting.options, **entry.options})


class PolicyFinder:
    """The policy of each file: ``config`` for every file when given, else the nearest policy file from
    the file's own folder up to its repository root (the built-in ``recommended`` when there is none).
    Each policy file is read once; ``used`` lists the policies handed out, by source. ``adjust`` changes
    each policy as it is read (the command line's ``--select`` and ``--ignore``)."""

    def __init__(
        self,
        config: str | None,
        rules: Sequence[Rule] | None = None,
        adjust: Callable[[Policy], Policy] | None = None,
    ):
        self.config, self.rules, self.adjust = config, rules, adjust
        self.used: dict[str, Policy] = {}
        self._by_folder: dict[Path, Policy] = {}
        self._by_file: dict[Path | None, Policy] = {}
        self._roots = RepositoryRoots()
        self._policy_files: dict[Path, Path | None] = {}  # each folder's nearest policy file

    def __call__(self, path: Path) -> Policy:
        folder = path.parent if not path.is_dir() else path
        if folder not in self._by_folder:
            self._by_folder[folder] = self._policy_of_folder(folder)
        policy = self._by_folder[folder]
        self.used.setdefault(policy.source, policy)
        return policy

    def _policy_of_folder(self, folder: Path) -> Policy:
        found = None if self.config is not None else find_policy_file(folder, self._roots, self._policy_files)
        if found not in self._by_file:
            policy = self._read(found)
            self._by_file[found] = self.adjust(policy) if self.adjust else policy
        return self._by_file[found]

    def _read(self, found: Path | None) -> Policy:
        rules = self.rules if self.rules is not None else _all_rules()
        if self.config is not None:
            return load(self.config, ".", rules)
        if found is None:
            return build_policy(preset_chain(DEFAULT_PRESET, rules), rules)
        document = read_document(found, _shown(found), rules)
        return build_policy([*preset_chain(document.extends or DEFAULT_PRESET, rules), document], rules)


def _all_rules() -> Sequence[Rule]:
    from nodeguard.rules import all_rules

    return all_rules()


def _shown(path: Path) -> str:
    """A policy file as the user names it: relative to the current folder when it is below it."""
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
