"""Reports a pragma that silences nothing (like ruff's unused `noqa`).

## What it does
A pragma names a rule that has no finding on the lines it covers: the problem was fixed, the
instruction moved, or the rule is turned off. The pragma is left over, and would silence a new
finding there that nobody has looked at.

A pragma that names one of the rules about pragmas (NG002, NG003, NG004, NG006, NG007) is reported
too, wherever it is: a pragma never silences those findings (only the policy file configures them),
so that name silences nothing.

## Example
```dockerfile
# nodeguard ignore=NG401 -- runs as root for the volume's ownership
USER node
```

## Fix
Remove the pragma, or the rule from it. To turn a rule about pragmas off, set it under the policy's
`rules` (`NG007: off`).
"""
from collections.abc import Iterable

from nodeguard.findings import Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image
from nodeguard.rules.base import NoOptions, Problem, Rule


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterable[Problem]:
    return ()  # reported by the pragma processor (nodeguard.policy.pragmas)


RULE = Rule(
    id="NG007",
    name="unused-pragma",
    section=0,
    severity=Severity.INFO,
    summary="A pragma silences nothing",
    check=check,
    doc=__doc__,
)
