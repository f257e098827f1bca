"""Reports a pragma that names a rule nodeguard does not have.

## What it does
`# nodeguard ignore=NG999` names no rule, so it suppresses nothing; usually it is a typo that leaves
the finding it meant to silence in place, or a rule that was renamed.

## Example
```dockerfile
# nodeguard ignore=NG40l -- typo: a lower-case L
USER root
```

## Fix
Use an ID or name from `nodeguard rules`.
"""
from collections.abc import Iterable

from nodeguard.findings import Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image
from nodeguard.rules.base import NoOptions, Problem, Rule


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterable[Problem]:
    return ()  # reported by the pragma processor (nodeguard.policy.pragmas)


RULE = Rule(
    id="NG004",
    name="unknown-pragma-rule",
    section=0,
    severity=Severity.WARNING,
    summary="A pragma names an unknown rule",
    check=check,
    doc=__doc__,
)
