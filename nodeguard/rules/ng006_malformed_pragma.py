"""Reports a comment that looks like a pragma but is not one nodeguard can read.

## What it does
`# nodeguard: ignore=NG504` (a colon), `# nodeguard ignore NG504` (no `=`) and the like are not
pragmas: they suppress nothing. Without this rule they would be silently ignored, and the author would
think the finding silenced on purpose.

## Example
```dockerfile
# nodeguard: ignore=NG504 -- tini comes from docker run --init
CMD ["node", "server.js"]
```
Use instead:
```dockerfile
# nodeguard ignore=NG504 -- tini comes from docker run --init
CMD ["node", "server.js"]
```

## Fix
Write it as `# nodeguard [stage|global] ignore=<IDs or names> -- <reason>`.
"""
from collections.abc import Iterable

from nodeguard.findings import Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image
from nodeguard.rules.base import NoOptions, Problem, Rule


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterable[Problem]:
    return ()  # reported by the pragma processor (nodeguard.policy.pragmas)


RULE = Rule(
    id="NG006",
    name="malformed-pragma",
    section=0,
    severity=Severity.WARNING,
    summary="A comment looks like a pragma but cannot be read as one",
    check=check,
    doc=__doc__,
)
