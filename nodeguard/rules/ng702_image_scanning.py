"""The repository's CI scans the images it builds for vulnerabilities.

## What it does
When the repository is on disk, reads its CI configuration: every file in `.github/workflows/`, and
the usual files of other CI systems (`.gitlab-ci.yml`, `.circleci/config.yml`,
`azure-pipelines.yml`, `bitbucket-pipelines.yml`, `Jenkinsfile`...). If none of them mentions an image
scanner (Trivy and `aquasecurity/trivy-action`, Grype and `anchore/scan-action`, Snyk, Docker Scout,
Sysdig, Clair, NeuVector, Prisma Cloud `twistcli`, Wiz, Lacework), it says so once per Dockerfile, as
information, on the final `FROM`. Nothing is said when only the Dockerfile's text is known, or outside a
git repository (a folder without `.git`), where nodeguard cannot know which CI builds the image.

## Why
A Dockerfile that follows every practice still ships the vulnerabilities of its base image and of its
npm packages, and new ones are published every day. A scan in CI (on pull requests, and on a schedule
for images already shipped) is how you learn about them before an attacker does.

## Example
A repository whose workflows build and push the image, and never scan it.

Add a step after the build:
```yaml
      - uses: aquasecurity/trivy-action@0.28.0
        with:
          image-ref: ghcr.io/acme/api:${{ github.sha }}
          severity: CRITICAL,HIGH
          exit-code: "1"
```
or `anchore/scan-action`, `docker/scout-action` with `command: cves`, or `snyk container test`.

## Fix
No automatic fix: pick the scanner your organisation uses and add it to the workflow that builds the
image.
"""
from collections.abc import Iterator

from nodeguard.findings import Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image
from nodeguard.node.scanners import OTHER_CI_FILES, WORKFLOW_FOLDER, scanner_in
from nodeguard.rules.base import NoOptions, Problem, Rule


def ci_files(context: BuildContext) -> list[str]:
    return [*context.iter_repo_files(WORKFLOW_FOLDER), *OTHER_CI_FILES]


def check(image: Image, context: BuildContext, options: NoOptions) -> Iterator[Problem]:
    if not context.in_git_repository or image.anchor is None:
        return  # outside a repository nodeguard cannot know its CI
    for relpath in ci_files(context):
        text = context.read_repo_text(relpath)
        if text is not None and scanner_in(text):
            return
    yield Problem(
        image.anchor.start_line,
        f"no CI configuration in this repository ({WORKFLOW_FOLDER}/ or another CI system's) scans the image "
        f"for vulnerabilities; add a step such as aquasecurity/trivy-action, anchore/scan-action (grype), "
        f"docker/scout-action or `snyk container test`",
        end_line=image.anchor.end_line,
    )


RULE = Rule(
    id="NG702",
    name="image-scanning",
    section=7,
    severity=Severity.INFO,
    summary="No CI workflow scans the built image for vulnerabilities",
    check=check,
    doc=__doc__,
)
