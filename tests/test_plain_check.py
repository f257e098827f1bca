"""``plain_check`` reads a plain ``check`` command line exactly as argparse does, and leaves every other
command line to argparse."""
from __future__ import annotations

import pytest

from nodeguard.cli import CHECK_ARGUMENTS, build_parser, plain_check

hypothesis = pytest.importorskip("hypothesis", reason="the test-only package `hypothesis` is missing")
st = hypothesis.strategies

FLAGS = sorted(flag for flags, _ in CHECK_ARGUMENTS for flag in flags if flag.startswith("-"))
WORDS = [*FLAGS, "-", "--", "-h", "--help", "--form", "--fix=yes", "-o=out", "-oout", "-x", "-1", "--format=json",
         "--format=xml", "--config=", "--select=NG101", "json", "text", "sarif", "never", "error", "always", "xml",
         "Dockerfile", "app/Dockerfile", ".", "", "NG101,NG102", "report.json"]


def argparse_reading(words: list[str]) -> dict | None:
    """What argparse makes of ``words``: its namespace, or None when it refuses them."""
    try:
        args, unknown = build_parser().parse_known_args(words)
    except SystemExit:
        return None
    if unknown:
        return None
    values = vars(args)
    values.pop("command_parser", None)
    return values


def test_a_plain_check_reads_as_argparse_reads_it():
    words = ["check", "Dockerfile", "--format", "json", "--select", "NG101", "--select=NG102", "-o", "out.json",
             "--fix", "--color=never"]
    assert vars(plain_check(words)) == argparse_reading(words)
    assert vars(plain_check(["check"])) == argparse_reading(["check"])  # the defaults: paths ["."], format text


@pytest.mark.parametrize("words", [
    ["--version"], ["rules"], ["check", "--help"], ["check", "--form", "json"], ["check", "a", "--fix", "b"],
    ["check", "--format", "xml"], ["check", "--config", "-"], ["check", "--", "-x"], ["check", "-o=out"],
    ["check", "--fix=yes"], ["check", "--output"],
])
def test_anything_else_is_left_to_argparse(words):
    assert plain_check(words) is None


@hypothesis.settings(derandomize=True, max_examples=600, deadline=None, database=None)
@hypothesis.given(st.lists(st.sampled_from(WORDS), max_size=7))
def test_whatever_plain_check_reads_argparse_reads_the_same(words):
    plain = plain_check(["check", *words])
    if plain is not None:
        assert vars(plain) == argparse_reading(["check", *words])
