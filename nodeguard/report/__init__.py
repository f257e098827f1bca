"""Reporters: each module's ``render(findings, **options) -> str`` turns findings into one output format.

Options by format (keyword-only; a format given an option it does not take raises ``TypeError``):

- ``text``: ``color``, ``headers``, ``checked_files`` (and ``text.should_color(stream, environ)``)
- ``json``: ``checked_files``
- ``sarif``: ``line_text``, ``rule_lookup``
- ``github``: ``checked_files``
- ``gitlab`` (GitLab Code Quality) and ``checkstyle`` (Checkstyle XML): none

Only the chosen reporter's module is imported.
"""
from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from nodeguard.findings import Finding

FORMATS: Mapping[str, str] = MappingProxyType(
    {
        "text": "nodeguard.report.text",
        "json": "nodeguard.report.json_report",
        "sarif": "nodeguard.report.sarif",
        "github": "nodeguard.report.github",
        "gitlab": "nodeguard.report.gitlab",
        "checkstyle": "nodeguard.report.checkstyle",
    }
)


def render(format_name: str, findings: Iterable[Finding], **options: object) -> str:
    module_name = FORMATS.get(format_name)
    if module_name is None:
        raise ValueError(f"unknown report format {format_name!r}; choose one of: {', '.join(FORMATS)}")
    return importlib.import_module(module_name).render(findings, **options)
