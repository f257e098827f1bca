from __future__ import annotations

import re
import subprocess
import sys

import pytest

from nodeguard.report import FORMATS, render
from nodeguard.report import github, json_report, sarif, text


def test_formats_lists_the_six_reporters():
    assert list(FORMATS) == ["text", "json", "sarif", "github", "gitlab", "checkstyle"]


@pytest.mark.parametrize(
    ("format_name", "module"), [("text", text), ("json", json_report), ("sarif", sarif), ("github", github)]
)
def test_render_dispatches_to_the_reporter(format_name, module, sample_findings):
    options = {"rule_lookup": {}.get} if format_name == "sarif" else {}

    def same_token(text: str) -> str:  # the github format's stop-commands token is random for each run
        return re.sub(r"nodeguard-[0-9a-f]{32}", "nodeguard-TOKEN", text)

    assert same_token(render(format_name, sample_findings, **options)) == same_token(module.render(sample_findings, **options))


def test_options_reach_the_reporter(sample_findings):
    assert "\x1b[" in render("text", sample_findings, color=True)
    assert render("github", [], checked_files=2) == "No problems found in 2 files.\n"


def test_an_option_the_format_does_not_take_is_an_error(sample_findings):
    with pytest.raises(TypeError):
        render("json", sample_findings, color=True)


def test_unknown_format_names_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown report format 'xml'; choose one of: text, json, sarif, github"):
        render("xml", [])


@pytest.mark.parametrize(
    ("format_name", "module"),
    [("text", "text"), ("json", "json_report"), ("sarif", "sarif"), ("github", "github"), ("gitlab", "gitlab"),
     ("checkstyle", "checkstyle")],
)
def test_only_the_chosen_reporter_is_imported(format_name, module):
    others = sorted({"text", "json_report", "sarif", "github", "gitlab", "checkstyle"} - {module})
    script = (
        "import sys\n"
        "from nodeguard.report import render\n"
        f"render({format_name!r}, [], **({{'rule_lookup': {{}}.get}} if {format_name!r} == 'sarif' else {{}}))\n"
        f"assert 'nodeguard.report.{module}' in sys.modules\n"
        f"loaded = [name for name in {others!r} if 'nodeguard.report.' + name in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
