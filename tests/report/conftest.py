from __future__ import annotations

import pytest

from nodeguard.findings import Applicability, Finding, Fix, Severity


def make_finding(
    rule: str = "NG101",
    *,
    name: str = "base-image-tag",
    section: int = 1,
    severity: Severity = Severity.ERROR,
    path: str = "Dockerfile",
    line: int = 1,
    end_line: int | None = None,
    message: str = "Pin the base image",
    fix: Fix | None = None,
    column: int = 1,
) -> Finding:
    return Finding(
        rule=rule,
        name=name,
        section=section,
        severity=severity,
        path=path,
        line=line,
        end_line=line if end_line is None else end_line,
        message=message,
        fix=fix,
        column=column,
    )


@pytest.fixture
def finding():
    return make_finding


@pytest.fixture
def sample_findings() -> list[Finding]:
    """Three findings in two files, given out of order; one with a fix, one spanning lines."""
    return [
        make_finding(
            "NG401",
            name="non-root-user",
            section=4,
            severity=Severity.WARNING,
            path="api/Dockerfile",
            line=7,
            end_line=9,
            message="The container runs as root",
        ),
        make_finding(
            "NG101",
            path="Dockerfile",
            line=1,
            message="Pin node:latest to a version",
            fix=Fix(line=1, end_line=1, replacement="FROM node:22.11.0-bookworm-slim", applicability=Applicability.SAFE),
        ),
        make_finding(
            "NG301",
            name="node-env-production",
            section=3,
            severity=Severity.INFO,
            path="Dockerfile",
            line=4,
            column=5,
            message="Set NODE_ENV=production",
        ),
    ]
