"""Reports a rule that failed on a file instead of hiding it.

## What it does
When a rule meets input it was not written for and fails, nodeguard reports the failure on the
final stage's `FROM` line and goes on with the other rules and files.

## Why
A crash would hide every other finding; a silent skip would pass a file that was not checked.

## Fix
Please report the message with the Dockerfile that caused it. Meanwhile, a pragma
`# nodeguard ignore=NG005 -- reason` above the `FROM` line silences it.
"""
from collections.abc import Iterable

from nodeguard.findings import Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image
from nodeguard.rules.base import NoOptions, Problem, Rule


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterable[Problem]:
    return ()  # the engine reports rule failures under this ID


RULE = Rule(
    id="NG005",
    name="internal-error",
    section=0,
    severity=Severity.ERROR,
    summary="A rule failed on this file",
    check=check,
    doc=__doc__,
)
