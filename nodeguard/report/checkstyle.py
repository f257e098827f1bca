"""Checkstyle XML, which Jenkins (Warnings Next Generation), reviewdog and most CI dashboards read: a
``<file>`` a file with findings, an ``<error>`` a finding."""
from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from xml.etree import ElementTree

from nodeguard.findings import Finding
from nodeguard.report.common import ordered, printable

CHECKSTYLE_VERSION = "4.3"


def render(findings: Iterable[Finding]) -> str:
    root = ElementTree.Element("checkstyle", version=CHECKSTYLE_VERSION)
    for path, group in groupby(ordered(findings), key=lambda finding: finding.path):
        file = ElementTree.SubElement(root, "file", name=printable(path))  # XML 1.0 has no control characters
        for finding in group:
            ElementTree.SubElement(
                file,
                "error",
                line=str(finding.line),
                column=str(finding.column),
                severity=finding.severity.label,
                message=printable(finding.message),
                source=f"nodeguard.{finding.rule}.{finding.name}",
            )
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"
