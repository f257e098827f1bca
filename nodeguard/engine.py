"""The pipeline: discover → parse → model → rules → findings."""
from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, islice
from pathlib import Path

from nodeguard.discover import (
    RepositoryRoots,
    context_folder,
    find_repo_root,
    governed_dockerfiles,
    is_ignore_file_name,
    is_selected,
    walk,
)
from nodeguard.findings import Finding, Severity
from nodeguard.model import jsontext
from nodeguard.model.context import BuildContext, DiskCache, DiskRepository, build_context
from nodeguard.model.image import build_image
from nodeguard.model.parse import parse_dockerfile
from nodeguard.policy import Policy, RuleSetting
from nodeguard.policy.pragmas import apply_pragmas, find_pragmas
from nodeguard.record import Record, replace
from nodeguard.rules import Problem, Rule, all_rules, known_rule

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from typing import TypeVar

    from nodeguard.model.context import RepositoryFiles

    _Item = TypeVar("_Item")
    _Result = TypeVar("_Result")

FILES_PER_PROCESS = 200  # below this many Dockerfiles per core a second process costs more than it saves
FILES_PER_CHUNK = 64  # handed to a worker at a time: few enough to cost little, small enough to end together
INTERNAL_ERROR = "NG005"
INVALID_INPUT = "NG001"
PRAGMA_RULES = frozenset({"NG002", "NG003", "NG004", "NG006", "NG007"})


class SourceFile(Record):
    """A file's bytes as read from the repository, named by its repository-relative path."""

    path: str  # repository-relative, posix
    data: bytes

    def __init__(self, path: str, data: bytes) -> None:
        self.__dict__.update(path=path, data=data)


class CheckResult(Record, frozen=False):
    """What a check of some files found, which files it checked and left out, and its notes."""

    findings: list[Finding]
    checked: list[str]
    excluded: list[str]  # files found that the policy leaves out
    notes: list[str]  # what the user should know that is not a finding

    def __init__(
        self,
        findings: list[Finding] | None = None,
        checked: list[str] | None = None,
        excluded: list[str] | None = None,
        notes: list[str] | None = None,
    ) -> None:
        self.__dict__.update(
            findings=[] if findings is None else findings,
            checked=[] if checked is None else checked,
            excluded=[] if excluded is None else excluded,
            notes=[] if notes is None else notes,
        )

    def count(self, severity: Severity) -> int:
        return sum(1 for finding in self.findings if finding.severity == severity)

    def reaches(self, threshold: Severity | None) -> bool:
        return threshold is not None and any(f.severity >= threshold for f in self.findings)


def check_dockerfile(source: SourceFile, context: BuildContext, policy: Policy) -> list[Finding]:
    """Every finding for one Dockerfile (and the ignore file of its context), after policy and pragmas."""
    parsed = parse_dockerfile(source.path, source.data)
    image = build_image(parsed)
    settings = policy.settings_for(source.path)
    problems: list[tuple[Rule, Problem]] = []
    for rule in all_rules():
        setting = settings.get(rule.id)
        if setting is None or not setting.enabled:
            continue
        problems.extend(_run_rule(rule, image, context, setting))
    findings = [_to_finding(rule, problem, source.path, settings) for rule, problem in problems]
    own = [readable_part_only(finding, parsed) for finding in findings if finding.path == source.path]
    others = [finding for finding in findings if finding.path != source.path]
    own = apply_pragmas(own, find_pragmas(parsed), policy.pragmas)
    return _apply_pragma_settings(own, settings) + others + _unreadable_manifest(context)


def _unreadable_manifest(context: BuildContext) -> list[Finding]:
    """The context's package.json, when it is refused as too deeply nested, reported once here (the rules
    that read it judge as if it were absent)."""
    text = context.read_text("package.json")
    problem = jsontext.nesting_problem(text) if text is not None else None
    if problem is None:
        return []
    message = f"package.json cannot be read: {problem}; the rules that need it judged without it"
    return [unreadable_file_finding(context.display_path("package.json"), message)]


def readable_part_only(finding: Finding, parsed) -> Finding:
    """The finding without its fix when the fix lands at or after the first line the parser could not
    read (inside an unterminated heredoc; anywhere in a CR-only file, which Docker and GitHub read as one
    line): neither --fix nor a suggestion may edit what nobody reads the same way."""
    if finding.fix is None or not parsed.problems:
        return finding
    first = min(problem.line for problem in parsed.problems)
    return finding if finding.fix.before(first) else replace(finding, fix=None)


def _run_rule(rule: Rule, image, context: BuildContext, setting: RuleSetting) -> list[tuple[Rule, Problem]]:
    """The rule's problems; or, when the rule fails, one NG005 problem that says so."""
    try:
        return [(rule, problem) for problem in rule.check(image, context, rule.options_from(setting.options))]
    except Exception as error:  # a rule bug must not hide the other rules' findings
        line = image.anchor.start_line if image.anchor else 1
        message = f"internal error in rule {rule.id} ({rule.name}): {error!r}"
        return [(known_rule(INTERNAL_ERROR), Problem(line=line, message=message))]


def _to_finding(rule: Rule, problem: Problem, path: str, settings) -> Finding:
    setting = settings.get(rule.id)
    return rule.finding(problem, path, setting.severity if setting else None)


def _apply_pragma_settings(findings: list[Finding], settings) -> list[Finding]:
    """Pragma findings are made outside the rules: give them the configured severity, drop disabled ones."""
    result = []
    for finding in findings:
        setting = settings.get(finding.rule) if finding.rule in PRAGMA_RULES else None
        if setting is None:
            result.append(finding)
        elif setting.enabled:
            result.append(replace(finding, severity=setting.severity))
    return result


def unreadable_file_finding(path: str, message: str) -> Finding:
    return known_rule(INVALID_INPUT).finding(Problem(line=1, message=message), path, Severity.ERROR)


def expand_paths(
    paths: Sequence[str], policy: Policy | Callable[[Path], Policy] | None = None
) -> tuple[list[tuple[Path, Path]], list[str], list[str]]:
    """Dockerfiles named or found below the given paths, each with the path it was found through;
    paths that do not exist; and notes on ignore files named that no Dockerfile uses (see ``found_on_disk``)."""
    missing: list[str] = []
    notes: list[str] = []
    return list(found_on_disk(paths, policy, missing, notes)), missing, notes


def found_on_disk(
    paths: Sequence[str], policy: Policy | Callable[[Path], Policy] | None, missing: list[str], notes: list[str]
) -> Iterator[tuple[Path, Path]]:
    """Each Dockerfile named or found below the given paths, once, as it is found: its real path and the
    real path it was found through. Paths that do not exist are added to ``missing``; ignore files named that
    no Dockerfile uses, to ``notes``.

    An ignore file is checked through the Dockerfiles it governs (``discover.governed_dockerfiles``, the
    answer the action gives too): one named on the command line brings in those beside it
    (``app/.dockerignore`` → ``app/Dockerfile``; ``x.Dockerfile.dockerignore`` → ``x.Dockerfile``) and
    those the ``policy``'s ``contexts`` map to its folder."""
    seen: set[Path] = set()
    repo_files: dict[Path, set[str]] = {}  # each repository walked once, however many ignore files are named
    for text in paths:
        path = Path(text)
        found: Iterable[tuple[Path, Path]]
        if path.is_dir():
            real = path.resolve()  # the walk enters no symlinked folder and yields no symlink: what it finds is real
            found = ((file, real) for file in walk(real) if not is_ignore_file_name(file.name))
        elif path.is_file() and is_ignore_file_name(path.name):
            governed = _governed_on_disk(path, policy, repo_files)
            found = [(file.resolve(), file.resolve()) for file in governed]
            if not governed:
                notes.append(f"{text}: no Dockerfile beside it uses this ignore file; name the Dockerfile to check it")
        elif path.is_file():
            found = [(path.resolve(), path.resolve())]
        else:
            missing.append(text)
            continue
        for file, named in found:
            if file not in seen:
                seen.add(file)
                yield file, named


def _governed_on_disk(
    ignore_file: Path, policy: Policy | Callable[[Path], Policy] | None, repo_files: dict[Path, set[str]]
) -> list[Path]:
    """The Dockerfiles of the ignore file's repository that it governs, under that repository's policy."""
    repo_root = find_repo_root(ignore_file.parent)
    ignore_path = (ignore_file.parent.resolve() / ignore_file.name).relative_to(repo_root).as_posix()
    if repo_root not in repo_files:
        repo_files[repo_root] = {file.relative_to(repo_root).as_posix() for file in walk(repo_root)}
    file_policy = policy if isinstance(policy, Policy) or policy is None else policy(ignore_file)
    context_for = file_policy.context_for if file_policy is not None else lambda _: None
    return [repo_root / path for path in governed_dockerfiles(ignore_path, repo_files[repo_root], context_for)]


class FileToCheck(Record):
    """A Dockerfile to check: its repository-relative path, the repository it is read from, the policy that
    applies to it, and the repository-relative path it was named by (None: the policy alone selects it;
    see ``discover.is_selected``)."""

    path: str
    repository: RepositoryFiles
    policy: Policy
    named: str | None

    def __init__(self, path: str, repository: RepositoryFiles, policy: Policy, named: str | None = None) -> None:
        self.__dict__.update(path=path, repository=repository, policy=policy, named=named)


def check_files(files: Iterable[FileToCheck], *, force_exclude: bool = False) -> CheckResult:
    """Check Dockerfiles, each with the build context its repository gives and the ignore file in force
    there. Whatever fails on one file is that file's NG005 finding; the others are still checked. What the
    policy does not select is listed as excluded (with ``force_exclude``, even a file named)."""
    result = CheckResult()

    def selected() -> Iterator[tuple[FileToCheck, str]]:
        for file in files:
            shown = file.repository.shown(file.path)
            if is_selected(file.policy, file.path, file.named, force_exclude):
                result.checked.append(shown)
                yield file, shown
            else:
                result.excluded.append(shown)

    result.findings = _unique_sorted(chain.from_iterable(_map_in_processes(_check_file, selected())))
    return result


def _check_file(item: tuple[FileToCheck, str]) -> list[Finding]:
    file, shown = item
    return _isolated(shown, lambda: _check_file_unguarded(file, shown))


def _check_file_unguarded(file: FileToCheck, shown: str) -> list[Finding]:
    data = file.repository.read(file.path)
    if isinstance(data, str):
        return [unreadable_file_finding(shown, data)]
    context = build_context(file.path, context_folder(file.path, file.policy.context_for(file.path)), file.repository)
    return check_dockerfile(SourceFile(shown, data), context, file.policy)


def check_paths(
    paths: Sequence[str],
    policy: Policy | Callable[[Path], Policy],
    *,
    cwd: Path | None = None,
    force_exclude: bool = False,
    disk: DiskCache | None = None,
) -> CheckResult:
    """Check files and folders on disk (``check_files`` of what they name). Ignore files are checked through
    the Dockerfiles they govern.

    ``policy`` is the policy of every file, or a function that gives a file's own. What ``paths`` name is
    checked even when the policy excludes it, unless ``force_exclude`` (see ``discover.is_selected``).
    Files are shown relative to ``cwd``. ``disk`` may hold edited texts that stand in for files (fixes
    being planned)."""
    cwd = (cwd or Path.cwd()).resolve()
    disk = DiskCache() if disk is None else disk
    missing: list[str] = []
    notes: list[str] = []
    roots = RepositoryRoots()
    repositories: dict[Path, DiskRepository] = {}

    def files() -> Iterator[FileToCheck]:  # as they are found: the first are checked while the rest are sought
        for path, named in found_on_disk(paths, policy, missing, notes):
            repo_root = roots.of(path.parent)
            if repo_root not in repositories:
                repositories[repo_root] = DiskRepository(repo_root, disk, cwd)
            named_relative = named.relative_to(repo_root).as_posix() if named.is_relative_to(repo_root) else None
            file_policy = policy if isinstance(policy, Policy) else policy(path)
            yield FileToCheck(path.relative_to(repo_root).as_posix(), repositories[repo_root], file_policy, named_relative)

    result = check_files(files(), force_exclude=force_exclude)
    result.notes = notes
    if missing:
        absent = [unreadable_file_finding(text, "no such file or folder") for text in missing]
        result.findings = _unique_sorted([*absent, *result.findings])
    return result


def _map_in_processes(function: Callable[[_Item], _Result], items: Iterable[_Item]) -> Iterator[_Result]:
    """``map``, spread over the machine's cores when there are enough items for that to pay off. Items are
    handed out in small chunks as they come, so the workers start while the rest are still being found and
    finish together; results are yielded in order as they arrive."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    iterator = iter(items)
    ahead = list(islice(iterator, cores * FILES_PER_PROCESS))  # enough to know how many workers pay off
    workers = min(cores, len(ahead) // FILES_PER_PROCESS)
    if workers < 2 or sys.platform != "linux":  # forked workers start in milliseconds; spawned ones do not
        yield from map(function, chain(ahead, iterator))
        return
    import multiprocessing  # here: a one-file check must not pay for importing it
    from concurrent.futures import Future, ProcessPoolExecutor

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        pending: deque[Future[list[_Result]]] = deque()
        try:
            for chunk in _chunks(chain(ahead, iterator), FILES_PER_CHUNK):
                pending.append(pool.submit(_map_chunk, function, chunk))
                while pending and pending[0].done():
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        except BaseException:  # finding the rest failed (a broken policy file), or the user interrupted
            pool.shutdown(cancel_futures=True)
            raise


def _chunks(items: Iterable[_Item], size: int) -> Iterator[list[_Item]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _map_chunk(function: Callable[[_Item], _Result], chunk: list[_Item]) -> list[_Result]:
    return [function(item) for item in chunk]


def _isolated(path: str, check: Callable[[], list[Finding]]) -> list[Finding]:
    """``check()``; or, when reading, modelling or checking the file fails outside any one rule, one NG005
    finding on it, so that the other files are still checked and reported."""
    try:
        return check()
    except Exception as error:  # noqa: BLE001 - whatever it is, it must not end the run
        message = f"internal error while checking this file, so it was not checked: {error!r:.300}"
        return [known_rule(INTERNAL_ERROR).finding(Problem(line=1, message=message), path, Severity.ERROR)]


def _unique_sorted(findings: Iterable[Finding]) -> list[Finding]:
    """Several Dockerfiles can share one .dockerignore: report each of its findings once."""
    unique = {(f.rule, f.path, f.line, f.message): f for f in findings}
    return sorted(unique.values(), key=Finding.sort_key)

