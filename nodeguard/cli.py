"""The ``nodeguard`` command line. Imports stay inside the commands so that start-up stays fast."""
from __future__ import annotations

import os
import sys
from types import SimpleNamespace

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from typing import Any

    import argparse

    Arguments = argparse.Namespace | SimpleNamespace  # as argparse reads them, or plain_check

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FORMATS = ("text", "json", "sarif", "github", "gitlab", "checkstyle")
COLORS = ("auto", "always", "never")
THRESHOLDS = ("error", "warning", "info", "never")

# ``check``'s arguments as argparse takes them (flags, settings): its parser is made from them, and so is the
# reading of a plain ``check`` command line that needs no argparse (``plain_check``).
CHECK_ARGUMENTS: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
    (("paths",), {"nargs": "*", "default": ["."], "help": "files or folders (default: .); - reads standard input"}),
    (("--config",), {"help": "policy file (default: .github/nodeguard.yml or .nodeguard.yml)"}),
    (("--format",), {"choices": FORMATS, "default": "text"}),
    (("--fail-on",), {"choices": THRESHOLDS, "help": "lowest severity that fails the run"}),
    (("--fix",), {"action": "store_true", "help": "apply safe fixes in place, then report the rest"}),
    (("--unsafe-fixes",), {"action": "store_true",
                           "help": "with --fix or --diff, apply unsafe fixes too (they may change what the image does)"}),
    (("--diff",), {"action": "store_true",
                   "help": "print the diff --fix would make and change no file; exit 1 when there is one"}),
    (("--show-fixes",), {"action": "store_true", "help": "with --fix or --diff, list each fix applied"}),
    (("--output", "-o"), {"help": "write the report to this file instead of standard output"}),
    (("--force-exclude",), {"action": "store_true",
                            "help": "apply the policy's exclude to files named on the command line too (for pre-commit)"}),
    (("--allow-empty",), {"action": "store_true",
                          "help": "exit 0 when no Dockerfile or .dockerignore is found (default: a usage error)"}),
    (("--stdin-filename",), {"metavar": "PATH",
                             "help": "with -: the Dockerfile's path, which names it and anchors its build context"}),
    (("--resolve-digests",), {"action": "store_true",
                              "help": "look unpinned base images up in their registries: NG102 then offers the exact digest"}),
    (("--check-digests",), {"action": "store_true",
                            "help": "look pinned base images up: report (info) a tag that now points to another digest"}),
    (("--refresh-data",), {"action": "store_true",
                           "help": "read Node.js's published release schedule and the node image's tags for this "
                                   "run (default: the bundled copy)"}),
    (("--select",), {"metavar": "RULES", "action": "append", "default": [],
                     "help": "run only these rules (IDs or names, comma-separated), on top of the policy"}),
    (("--ignore",), {"metavar": "RULES", "action": "append", "default": [],
                     "help": "turn these rules off (IDs or names, comma-separated), on top of the policy"}),
    (("--statistics",), {"action": "store_true",
                         "help": "print how many findings each rule has instead of the findings (text or json)"}),
    (("--color",), {"choices": COLORS, "default": "auto",
                    "help": "colour the text output: auto (a terminal, unless NO_COLOR; FORCE_COLOR forces it)"}),
)


def build_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(prog="nodeguard", description="Check Node.js Dockerfiles against best practices.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command")
    check = commands.add_parser("check", help="check Dockerfiles and .dockerignore files")
    for flags, settings in CHECK_ARGUMENTS:
        check.add_argument(*flags, **settings)
    check.set_defaults(command_parser=check)
    rules = commands.add_parser("rules", help="list the rules")
    rules.set_defaults(command_parser=rules)
    explain = commands.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("rule", help="rule ID or name, e.g. NG101 or base-image-tag")
    explain.set_defaults(command_parser=explain)
    schema = commands.add_parser("schema", help="print the policy file's JSON schema")
    schema.set_defaults(command_parser=schema)
    pin = commands.add_parser("pin", help="pin FROM images by digest, looked up in their registries")
    pin.add_argument("paths", nargs="*", default=["."], help="files or folders (default: .)")
    pin.add_argument("--config", help="policy file (its registries: mirrors; include/exclude)")
    pin.add_argument("--dry-run", action="store_true", help="say what would change; write nothing; exit 1 when a line would change")
    pin.add_argument("--diff", action="store_true",
                     help="print the changes as a unified diff; write nothing; exit 1 when there is one")
    pin.add_argument("--update", action="store_true", help="also move pinned digests whose tag now points elsewhere")
    pin.set_defaults(command_parser=pin)
    init = commands.add_parser("init", help="write a starter policy and a GitHub workflow (never overwrites)")
    init.add_argument("folder", nargs="?", help="where (default: the repository root of the current folder)")
    init.set_defaults(command_parser=init)
    return parser


def plain_check(words: list[str]) -> SimpleNamespace | None:
    """The arguments of a ``check`` command line whose options are spelled out in full (``check Dockerfile
    --format json``), as argparse reads them, without argparse: importing it and making the parsers is a
    tenth of a one-file check's start-up. None for any other command line (help, an abbreviated option,
    ``--``, a value that looks like an option or is not among the choices, paths on both sides of an
    option, ...): argparse reads those, and reports their errors."""
    if not words or words[0] != "check":
        return None
    values: dict[str, Any] = {"command": "check", "version": False}
    options: dict[str, tuple[str, dict[str, Any]]] = {}
    for flags, settings in CHECK_ARGUMENTS:
        name = next((flag for flag in flags if flag.startswith("--")), flags[0]).removeprefix("--").replace("-", "_")
        default = settings.get("default", False if settings.get("action") == "store_true" else None)
        values[name] = list(default) if isinstance(default, list) else default
        options.update((flag, (name, settings)) for flag in flags if flag.startswith("-"))
    paths: list[str] = []
    after_path = False
    position = 1
    while position < len(words):
        word = words[position]
        position += 1
        if word == "-" or not word.startswith("-"):
            if paths and not after_path:
                return None  # paths on both sides of an option: argparse takes only the first run
            paths.append(word)
            after_path = True
            continue
        after_path = False
        flag, equals, value = word.partition("=")
        if flag not in options or (equals and not flag.startswith("--")):
            return None
        name, settings = options[flag]
        if settings.get("action") == "store_true":
            if equals:
                return None
            values[name] = True
            continue
        if not equals:
            if position == len(words) or words[position].startswith("-"):
                return None
            value = words[position]
            position += 1
        if "choices" in settings and value not in settings["choices"]:
            return None
        values[name] = [*values[name], value] if settings.get("action") == "append" else value
    if paths:
        values["paths"] = paths
    return SimpleNamespace(**values)


def main(argv: list[str] | None = None) -> int:
    args: Arguments | None = plain_check(sys.argv[1:] if argv is None else argv)
    if args is None:
        parser = build_parser()
        args, unknown = parser.parse_known_args(argv)
        if unknown:  # argparse would print the top-level usage; the subcommand's is the one that helps
            getattr(args, "command_parser", parser).error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.version:
        from nodeguard import __version__

        from nodeguard.node.releases import data_date

        print(f"nodeguard {__version__} (Node.js release data of {data_date()})")
        return EXIT_CLEAN
    handlers = {"check": run_check, "rules": run_rules, "explain": run_explain, "schema": run_schema, "pin": run_pin,
                "init": run_init}
    if args.command not in handlers:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return handlers[args.command](args)
    except BrokenPipeError:
        return EXIT_CLEAN
    except KeyboardInterrupt:
        return 130


def run_check(args: Arguments) -> int:
    from nodeguard.policy import PolicyError
    from nodeguard.policy.loader import PolicyFinder

    problem = _path_problem(args.paths) or _statistics_problem(args) or _stdin_problem(args) or _fix_option_problem(args)
    selection = _rule_selection(args)
    if problem or isinstance(selection, str):
        print(f"nodeguard: {problem or selection}", file=sys.stderr)
        return EXIT_USAGE
    if args.refresh_data:
        from nodeguard.remote.node_data import refresh_all_for_run

        for note in refresh_all_for_run():
            print(f"nodeguard: {note}", file=sys.stderr)
    finder = PolicyFinder(args.config, adjust=selection)
    try:
        if args.diff:
            return run_stdin_diff(args, finder) if args.paths == ["-"] else run_diff(args, finder)
        if args.paths == ["-"]:
            result = _check_stdin(args, finder)
        else:
            result = _check_disk(args, finder)
    except PolicyError as error:
        for each in error.errors:
            print(f"nodeguard: policy error: {each}", file=sys.stderr)
        return EXIT_USAGE
    for note in result.notes:
        print(f"nodeguard: {note}", file=sys.stderr)
    if not result.checked and not result.excluded and not args.allow_empty:
        print(f"nodeguard: no Dockerfile or .dockerignore found in {', '.join(args.paths)} "
              "(--allow-empty accepts that)", file=sys.stderr)
        return EXIT_USAGE
    if result.excluded and not result.checked:
        print(f"nodeguard: the policy excludes every file found ({len(result.excluded)})", file=sys.stderr)
    write_report(args, result)
    return EXIT_FINDINGS if result.reaches(_fail_on(args, finder)) else EXIT_CLEAN


def _path_problem(paths: list[str]) -> str | None:
    """Why the paths cannot be checked, in one line; None when they can."""
    if "-" in paths and len(paths) > 1:
        return "- (standard input) cannot be combined with other paths"
    missing = [path for path in paths if path != "-" and not os.path.lexists(path)]
    if missing:
        return f"no such file or folder: {', '.join(missing)}"
    return None


def _stdin_problem(args: Arguments) -> str | None:
    if args.paths == ["-"] and args.fix:
        return "standard input cannot be fixed in place: --diff prints what --fix would change in it"
    if args.stdin_filename and args.paths != ["-"]:
        return "--stdin-filename names standard input: give - as the path"
    return None


def _fix_option_problem(args: Arguments) -> str | None:
    """--unsafe-fixes and --show-fixes only change what --fix and --diff do: alone they would be ignored."""
    if args.fix or getattr(args, "diff", False):
        return None
    flag = next((flag for flag, given in (("--unsafe-fixes", args.unsafe_fixes), ("--show-fixes", args.show_fixes))
                 if given), None)
    return f"{flag} works with --fix or --diff" if flag else None


def _statistics_problem(args: Arguments) -> str | None:
    if args.statistics and args.format not in ("text", "json"):
        return f"--statistics prints text or json, not {args.format}"
    return None


def _rule_selection(args: Arguments):
    """A function that applies ``--select`` and ``--ignore`` to a policy; None without them; the message
    when a rule named there does not exist."""
    from nodeguard.policy import select_rules
    from nodeguard.rules import rule_by_id

    chosen: dict[str, set[str]] = {}
    for flag in ("select", "ignore"):
        chosen[flag] = set()
        for word in filter(None, (part.strip() for value in getattr(args, flag) for part in value.split(","))):
            rule = rule_by_id(word)
            if rule is None:
                return f"--{flag}: {_no_such_rule(word)}"
            chosen[flag].add(rule.id)
    if not chosen["select"] and not chosen["ignore"]:
        return None
    return lambda policy: select_rules(policy, chosen["select"], chosen["ignore"])


def _no_such_rule(word: str) -> str:
    from nodeguard.policy.validation import did_you_mean
    from nodeguard.rules import all_rules

    names = [name for rule in all_rules() for name in (rule.id, rule.name)]
    return f"no rule named {word!r}{did_you_mean(word, names)}; `nodeguard rules` lists them"


def _check_disk(args: Arguments, finder):
    from pathlib import Path

    from nodeguard.engine import check_paths

    if args.config:
        finder(Path.cwd())  # a broken --config is reported before anything else
    digest_notes: list[str] = []
    if args.resolve_digests or args.check_digests:
        from nodeguard.remote.digests import digest_checking_finder

        finder, digest_notes = digest_checking_finder(args.paths, finder, unpinned=args.resolve_digests,
                                                      pinned=args.check_digests, force_exclude=args.force_exclude)
    if args.fix:
        from nodeguard.fixes import fix_paths

        report_fixes(args, fix_paths(args.paths, finder, unsafe=args.unsafe_fixes, force_exclude=args.force_exclude))
    result = check_paths(args.paths, finder, force_exclude=args.force_exclude)
    result.notes[:0] = digest_notes
    return result


def _check_stdin(args: Arguments, finder):
    """The Dockerfile on standard input, checked as if it were at ``--stdin-filename`` (else as ``-`` in
    the current folder): that path's folder is its build context and its repository's policy applies."""
    from nodeguard.engine import CheckResult, check_files, unreadable_file_finding
    from nodeguard.model.parse import MAX_BYTES, size_text

    data = sys.stdin.buffer.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        message = f"standard input is larger than {size_text(MAX_BYTES)}; not checked"
        return CheckResult(findings=[unreadable_file_finding(args.stdin_filename or "-", message)], checked=["-"])
    _, given = _stdin_file(args, finder)
    return check_files([given(data)], force_exclude=args.force_exclude)


def _stdin_file(args: Arguments, finder):
    """Standard input's path (as its findings name it), and a function that gives its Dockerfile to check
    with the bytes given: at ``--stdin-filename`` (else ``-`` in the current folder), with that path's
    repository and policy."""
    from pathlib import Path

    from nodeguard.discover import find_repo_root
    from nodeguard.engine import FileToCheck
    from nodeguard.model.context import DiskRepository, GivenFiles

    cwd = Path.cwd().resolve()
    if args.stdin_filename:
        location = (cwd / args.stdin_filename).resolve()
        root = find_repo_root(location.parent)
        path = location.relative_to(root).as_posix() if location.is_relative_to(root) else location.name
    else:
        location, root, path = cwd / "-", cwd, "-"
    policy, rest = finder(location), DiskRepository(root)
    return path, lambda data: FileToCheck(path, GivenFiles({path: data}, rest=rest), policy, named=path)


def _fail_on(args: Arguments, finder):
    """``--fail-on``; else the strictest ``fail-on`` of the policies that applied."""
    from nodeguard.findings import Severity

    if args.fail_on:
        return None if args.fail_on == "never" else Severity.parse(args.fail_on)
    thresholds = [policy.fail_on for policy in finder.used.values() if policy.fail_on is not None]
    return min(thresholds) if thresholds else None


def run_pin(args: Arguments) -> int:
    from nodeguard.policy import PolicyError
    from nodeguard.policy.loader import PolicyFinder
    from nodeguard.remote.digests import local_dockerfiles, pin_dockerfiles, resolver_for

    problem = _path_problem(args.paths)
    if problem or "-" in args.paths:
        print(f"nodeguard: {problem or 'pin rewrites files; standard input cannot be pinned'}", file=sys.stderr)
        return EXIT_USAGE
    try:
        dockerfiles = local_dockerfiles(args.paths, PolicyFinder(args.config))
    except PolicyError as error:
        print(f"nodeguard: policy error: {error}", file=sys.stderr)
        return EXIT_USAGE
    write = not (args.dry_run or args.diff)
    resolver = resolver_for(d.policy for d in dockerfiles)
    results = pin_dockerfiles(dockerfiles, resolver, update=args.update)
    for result in results:
        for change in result.changes:
            print(f"{result.shown}:{change.line}: {'pinned' if write else 'would pin'}: {change.after.strip()}",
                  file=sys.stderr)
        for problem in result.problems:
            print(f"{result.shown}: {problem}", file=sys.stderr)
        if args.diff and result.changes:
            sys.stdout.write(result.diff())
        if write and result.changes:
            with open(result.path, "w", encoding="utf-8", newline="") as handle:
                handle.write(result.new_text)
    if not any(result.changes or result.problems for result in results):
        print("nodeguard: every FROM image is pinned already", file=sys.stderr)
    unpinnable = any(result.problems for result in results)
    would_change = not write and any(result.changes for result in results)  # as check --diff: CI can require pins
    return EXIT_FINDINGS if unpinnable or would_change else EXIT_CLEAN


def run_diff(args: Arguments, policy) -> int:
    """``--diff``: the unified diff of what ``--fix`` would do; no file changes."""
    from nodeguard.fixes import plan_fixes

    return _show_diff(args, plan_fixes(args.paths, policy, unsafe=args.unsafe_fixes, force_exclude=args.force_exclude))


def run_stdin_diff(args: Arguments, finder) -> int:
    """``--diff -``: the unified diff of what ``--fix`` would do to standard input, labelled with
    ``--stdin-filename`` (else ``-``). The fixes are planned on the bytes read, checked as ``check -``
    checks them; nothing is written."""
    from nodeguard.engine import check_files
    from nodeguard.fixes import FileFixes, plan_rounds
    from nodeguard.model.parse import MAX_BYTES

    data = sys.stdin.buffer.read(MAX_BYTES + 1)
    shown, given = _stdin_file(args, finder)
    label = os.path.normpath(args.stdin_filename) if args.stdin_filename else "-"

    def check(texts):
        text = texts.get(shown)
        file = given(data if text is None else text.encode("utf-8"))
        return check_files([file], force_exclude=args.force_exclude).findings

    def read(path: str) -> FileFixes | None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return FileFixes(label, text, text) if path == shown else None

    planned = [] if len(data) > MAX_BYTES else plan_rounds(check, read, unsafe=args.unsafe_fixes)
    return _show_diff(args, planned)


def _show_diff(args: Arguments, planned) -> int:
    sys.stdout.write("".join(file.diff() for file in planned))
    report_fixes(args, planned, would=True)
    if not planned:
        print(f"nodeguard: no fix to make{'' if args.unsafe_fixes else ' (safe fixes only: see --unsafe-fixes)'}",
              file=sys.stderr)
    return EXIT_FINDINGS if planned else EXIT_CLEAN


def report_fixes(args: Arguments, planned, would: bool = False) -> None:
    from nodeguard.fixes import describe, listed

    for file in planned:
        text = describe(file)
        print(f"nodeguard: {'would have ' + text if would else text}", file=sys.stderr)
        if args.show_fixes:
            for line in listed(file):
                print(f"  {line}", file=sys.stderr)


def fix_command(args: Arguments) -> str | None:
    """The command that applies the fixes the report lists: a digest is only known with the flag that looked it up.
    None for standard input, which ``--fix`` refuses: the report then offers no fix."""
    if args.paths == ["-"]:
        return None
    lookups = [flag for flag, wanted in (("--resolve-digests", args.resolve_digests), ("--check-digests", args.check_digests))
               if wanted]
    return " ".join(["nodeguard check", *lookups, "--fix"])


def write_report(args: Arguments, result) -> None:
    from nodeguard.report import render

    checked = len(result.checked)
    if args.statistics:
        from nodeguard.report.statistics import render as statistics

        text = statistics(result.findings, json=args.format == "json", checked_files=checked)
    elif args.format == "text":
        from nodeguard.report.text import color_wanted

        color = color_wanted(args.color, None if args.output else sys.stdout, os.environ)
        headers = not args.output and sys.stdout.isatty()
        text = render("text", result.findings, color=color, headers=headers, checked_files=checked,
                      fix_command=fix_command(args))
    elif args.format == "github":
        text = render("github", result.findings, checked_files=checked, fix_command=fix_command(args))
    elif args.format == "json":
        text = render("json", result.findings, checked_files=checked)
    else:
        text = render(args.format, result.findings)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)


def run_rules(args: Arguments) -> int:
    from nodeguard.rules import all_rules

    for rule in all_rules():
        fix = "fix" if rule.fixable else "   "
        print(f"{rule.id:<7} {rule.section:>2}  {rule.severity.label:<7} {fix}  {rule.name:<32} {rule.summary}")
    return EXIT_CLEAN


def run_explain(args: Arguments) -> int:
    from nodeguard.rules import rule_by_id
    from nodeguard.rules.docs import rule_page

    rule = rule_by_id(args.rule)
    if rule is None:
        print(f"nodeguard: {_no_such_rule(args.rule)}", file=sys.stderr)
        return EXIT_USAGE
    print(rule_page(rule))
    return EXIT_CLEAN


def run_init(args: Arguments) -> int:
    from pathlib import Path

    from nodeguard.discover import find_repo_root
    from nodeguard.init import write_starter_files

    root = Path(args.folder) if args.folder else find_repo_root(Path.cwd())
    if not root.is_dir():
        print(f"nodeguard: no such folder: {args.folder}", file=sys.stderr)
        return EXIT_USAGE
    try:
        outcome = write_starter_files(root)
    except OSError as error:
        print(f"nodeguard: cannot write the starter files: {error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE
    for name, written in outcome:
        print(f"{'wrote' if written else 'kept '} {name}{'' if written else ' (it exists; not overwritten)'}")
    return EXIT_CLEAN


def run_schema(args: Arguments) -> int:
    import json

    from nodeguard.policy.schema import policy_schema

    print(json.dumps(policy_schema(), indent=2))
    return EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
