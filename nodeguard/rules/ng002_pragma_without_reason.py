"""Reports a pragma without a reason when the policy requires one.

## What it does
With `pragmas: require-reason` in the policy, an inline pragma such as `# nodeguard ignore=NG401`
must say why after ` -- `. A pragma without a reason suppresses nothing and is reported itself.

## Why
A pull request should not be able to wave its own findings away without explaining itself to the
reviewer.

## Example
```dockerfile
# nodeguard ignore=NG401
USER root
```
Use instead:
```dockerfile
# nodeguard ignore=NG401 -- the entrypoint drops privileges with gosu after fixing volume ownership
USER root
```

## Fix
Add ` -- <reason>` to the pragma.
"""
from collections.abc import Iterable

from nodeguard.findings import Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image
from nodeguard.rules.base import NoOptions, Problem, Rule


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterable[Problem]:
    return ()  # reported by the pragma processor (nodeguard.policy.pragmas)


RULE = Rule(
    id="NG002",
    name="pragma-without-reason",
    section=0,
    severity=Severity.ERROR,
    summary="An inline pragma gives no reason",
    check=check,
    doc=__doc__,
)
