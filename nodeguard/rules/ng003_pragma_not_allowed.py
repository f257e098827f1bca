"""Reports inline pragmas when the policy turns them off.

## What it does
With `pragmas: off` in the policy, `# nodeguard ignore=...` comments suppress nothing; each one is
reported, so that only the policy file (loaded from the base branch in the GitHub Action) can relax
a rule.

## Why
Some teams want every exception to go through the reviewed policy file, not through comments a pull
request can add to itself.

## Example
```dockerfile
# nodeguard ignore=NG101 -- we like latest
FROM node:latest
```

## Fix
Remove the pragma and fix the finding, or relax the rule in the policy file (per path with
`overrides`).
"""
from collections.abc import Iterable

from nodeguard.findings import Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image
from nodeguard.rules.base import NoOptions, Problem, Rule


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterable[Problem]:
    return ()  # reported by the pragma processor (nodeguard.policy.pragmas)


RULE = Rule(
    id="NG003",
    name="pragma-not-allowed",
    section=0,
    severity=Severity.ERROR,
    summary="Inline pragmas are turned off by the policy",
    check=check,
    doc=__doc__,
)
