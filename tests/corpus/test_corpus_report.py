"""The corpus report's table agrees with the findings it summarises."""
import importlib.util
import sys
from collections import Counter

from tests.conftest import REPO_ROOT, shared_or_skip


def load_script():
    spec = importlib.util.spec_from_file_location("corpus_report", REPO_ROOT / "scripts" / "corpus_report.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_rule_rows_add_up_to_the_findings():
    corpus = shared_or_skip("corpus")
    script = load_script()
    result = script.check_corpus(corpus)
    rows = script.rule_rows(result.findings)
    assert sum(row.findings for row in rows) == len(result.findings)
    assert {row.rule: row.findings for row in rows} == Counter(f.rule for f in result.findings)
    for row in rows:
        samples = {f.path.split("/", 1)[0] for f in result.findings if f.rule == row.rule}
        assert row.samples == len(samples) <= row.findings
    assert "NG005" not in {row.rule for row in rows}
    table = script.render_table(result)
    assert f"**{len(result.findings)}**" in table and "NG005 (internal errors): none." in table
    assert all(f"| {row.rule} | {row.name} |" in table and f"| {row.findings} | {row.samples} |" in table for row in rows)
    assert f"Files checked: {len(result.checked)} Dockerfiles" in table


def test_replace_section_keeps_the_text_around_the_markers():
    script = load_script()
    report = f"intro\n{script.START_MARKER}\nold\n{script.END_MARKER}\noutro\n"
    assert script.replace_section(report, "new\n") == f"intro\n{script.START_MARKER}\nnew\n{script.END_MARKER}\noutro\n"
