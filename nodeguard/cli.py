"""The ``nodeguard`` command line. Imports stay inside the commands so that start-up stays fast."""
from __future__ import annotations

import argparse
import os
import sys

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FORMATS = ("text", "json", "sarif", "github")
THRESHOLDS = ("error", "warning", "info", "never")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nodeguard", description="Check Node.js Dockerfiles against best practices.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command")
    check = commands.add_parser("check", help="check Dockerfiles and .dockerignore files")
    check.add_argument("paths", nargs="*", default=["."], help="files or folders (default: .)")
    check.add_argument("--config", help="policy file (default: .github/nodeguard.yml or .nodeguard.yml)")
    check.add_argument("--format", choices=FORMATS, default="text")
    check.add_argument("--fail-on", choices=THRESHOLDS, help="lowest severity that fails the run")
    check.add_argument("--fix", action="store_true", help="apply mechanical fixes in place, then report the rest")
    check.add_argument("--output", "-o", help="write the report to this file instead of standard output")
    commands.add_parser("rules", help="list the rules")
    explain = commands.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("rule", help="rule ID or name, e.g. NG101 or base-image-tag")
    commands.add_parser("schema", help="print the policy file's JSON schema")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from nodeguard import __version__

        print(f"nodeguard {__version__}")
        return EXIT_CLEAN
    handlers = {"check": run_check, "rules": run_rules, "explain": run_explain, "schema": run_schema}
    if args.command not in handlers:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return handlers[args.command](args)
    except BrokenPipeError:
        return EXIT_CLEAN
    except KeyboardInterrupt:
        return 130


def run_check(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from nodeguard.findings import Severity
    from nodeguard.policy import PolicyError, load_policy

    try:
        policy = load_policy(args.config, os.getcwd())
    except PolicyError as error:
        print(f"nodeguard: policy error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.fail_on:
        policy = replace(policy, fail_on=None if args.fail_on == "never" else Severity.parse(args.fail_on))
    if args.fix:
        from nodeguard.fixes import fix_paths

        fixed = fix_paths(args.paths, policy)
        for path, count in fixed.items():
            print(f"nodeguard: fixed {count} problem{'s' if count != 1 else ''} in {path}", file=sys.stderr)
    from nodeguard.engine import check_paths

    result = check_paths(args.paths, policy)
    for note in result.notes:
        print(f"nodeguard: {note}", file=sys.stderr)
    write_report(args, result)
    return EXIT_FINDINGS if result.reaches(policy.fail_on) else EXIT_CLEAN


def write_report(args: argparse.Namespace, result) -> None:
    from nodeguard.report import render

    if args.format == "text":
        from nodeguard.report.text import should_color

        terminal = not args.output and should_color(sys.stdout, os.environ)
        headers = not args.output and sys.stdout.isatty()
        text = render("text", result.findings, color=terminal, headers=headers, checked_files=len(result.checked))
    else:
        text = render(args.format, result.findings)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)


def run_rules(args: argparse.Namespace) -> int:
    from nodeguard.rules import all_rules

    for rule in all_rules():
        fix = "fix" if rule.fixable else "   "
        print(f"{rule.id:<7} {rule.section:>2}  {rule.severity.label:<7} {fix}  {rule.name:<32} {rule.summary}")
    return EXIT_CLEAN


def run_explain(args: argparse.Namespace) -> int:
    from nodeguard.rules import rule_by_id
    from nodeguard.rules.docs import rule_page

    rule = rule_by_id(args.rule)
    if rule is None:
        print(f"nodeguard: no rule named {args.rule!r}; `nodeguard rules` lists them", file=sys.stderr)
        return EXIT_USAGE
    print(rule_page(rule))
    return EXIT_CLEAN


def run_schema(args: argparse.Namespace) -> int:
    import json

    from nodeguard.policy.schema import policy_schema

    print(json.dumps(policy_schema(), indent=2))
    return EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
