"""Run nodeguard over the shared corpus and print (or write into a report) its findings per rule.

    .venv/bin/python scripts/corpus_report.py                                # print the table
    .venv/bin/python scripts/corpus_report.py --write docs/corpus-report.md  # replace it in the report

The corpus is test data beside the checkout (<repo>/../shared/corpus); it is never
copied into the repository. With --write only the text between the two markers changes.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from nodeguard.engine import INTERNAL_ERROR, INVALID_INPUT, CheckResult, check_paths
from nodeguard.findings import Finding, Severity
from nodeguard.policy import load_policy
from nodeguard.rules import all_rules
from nodeguard.rules.base import SECTIONS

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS_CANDIDATES = (REPO_ROOT / ".." / "shared" / "corpus",)
START_MARKER = "<!-- corpus-table:start (scripts/corpus_report.py writes this part) -->"
END_MARKER = "<!-- corpus-table:end -->"


@dataclass(frozen=True)
class RuleRow:
    rule: str
    name: str
    section: str
    severities: str  # the severities its findings have, e.g. "error" or "error, info"
    findings: int
    samples: int


def find_corpus() -> Path | None:
    return next((path.resolve() for path in CORPUS_CANDIDATES if path.is_dir()), None)


def check_corpus(corpus: Path) -> CheckResult:
    """Every sample checked with the built-in recommended policy, paths relative to the corpus."""
    return check_paths([str(corpus)], load_policy(None, str(corpus)), cwd=corpus)


def sample_of(finding: Finding) -> str:
    return finding.path.split("/", 1)[0]


def rule_rows(findings: list[Finding]) -> list[RuleRow]:
    """One row per rule that fired, in rule order."""
    rows = []
    for rule in all_rules():
        own = [finding for finding in findings if finding.rule == rule.id]
        if not own:
            continue
        severities = sorted({finding.severity for finding in own}, reverse=True)
        rows.append(RuleRow(
            rule=rule.id,
            name=rule.name,
            section=f"{rule.section}. {SECTIONS[rule.section]}",
            severities=", ".join(severity.label for severity in severities),
            findings=len(own),
            samples=len({sample_of(finding) for finding in own}),
        ))
    return rows


def render_table(result: CheckResult) -> str:
    """The markdown section: findings per rule, totals, and nodeguard's own input/internal errors."""
    rows = rule_rows(result.findings)
    samples = {path.split("/", 1)[0] for path in result.checked}
    affected = {sample_of(finding) for finding in result.findings}
    lines = [
        "| ID | name | practice | severity | findings | samples affected |",
        "| --- | --- | --- | --- | ---: | ---: |",
        *(f"| {row.rule} | {row.name} | {row.section} | {row.severities} | {row.findings} | {row.samples} |"
          for row in rows),
        f"| **total** | | | | **{len(result.findings)}** | **{len(affected)}** |",
        "",
        f"Files checked: {len(result.checked)} Dockerfiles in {len(samples)} samples. "
        f"Findings by severity: {_severity_counts(result)}.",
        "",
        _own_errors(result.findings, INVALID_INPUT, "input errors"),
        _own_errors(result.findings, INTERNAL_ERROR, "internal errors"),
    ]
    return "\n".join(lines) + "\n"


def _severity_counts(result: CheckResult) -> str:
    return ", ".join(f"{result.count(severity)} {severity.label}" for severity in sorted(Severity, reverse=True))


def _own_errors(findings: list[Finding], rule: str, what: str) -> str:
    own = [finding for finding in findings if finding.rule == rule]
    if not own:
        return f"{rule} ({what}): none."
    listed = "; ".join(f"`{finding.path}:{finding.line}` {finding.message}" for finding in own)
    return f"{rule} ({what}): {len(own)}: {listed}."


def replace_section(report: str, table: str) -> str:
    """``report`` with the text between the markers replaced by ``table``; ValueError without markers."""
    start = report.find(START_MARKER)
    end = report.find(END_MARKER)
    if start < 0 or end < start:
        raise ValueError(f"the report has no {START_MARKER!r} ... {END_MARKER!r} section")
    return report[: start + len(START_MARKER)] + "\n" + table + report[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", metavar="REPORT", help="replace the table section of this markdown file")
    args = parser.parse_args(argv)
    corpus = find_corpus()
    if corpus is None:
        tried = " or ".join(str(path) for path in CORPUS_CANDIDATES)
        print(f"corpus_report: no corpus folder at {tried}; it lives beside the main checkout", file=sys.stderr)
        return 2
    table = render_table(check_corpus(corpus))
    if args.write is None:
        sys.stdout.write(table)
        return 0
    report = Path(args.write)
    try:
        report.write_text(replace_section(report.read_text(encoding="utf-8"), table), encoding="utf-8")
    except (OSError, ValueError) as error:
        print(f"corpus_report: {report}: {error}", file=sys.stderr)
        return 1
    print(f"corpus_report: table written to {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
