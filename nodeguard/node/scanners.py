"""Container image scanners, as CI configuration names them."""
from __future__ import annotations

from nodeguard.patterns import LazyPattern

# Where CI configuration lives: every file of GitHub's workflow folder, and the usual files of other CI
# systems, so that a repository scanning its images elsewhere is not told it does not.
WORKFLOW_FOLDER = ".github/workflows"
OTHER_CI_FILES = (
    ".gitlab-ci.yml",
    ".circleci/config.yml",
    "azure-pipelines.yml",
    "bitbucket-pipelines.yml",
    "Jenkinsfile",
    ".drone.yml",
    "cloudbuild.yaml",
    ".buildkite/pipeline.yml",
)

# Scanners and their CI steps: trivy (aquasecurity/trivy-action), grype (anchore/scan-action), snyk
# (snyk container, snyk/actions/docker), docker scout (docker/scout-action), sysdig, clair, neuvector,
# Prisma Cloud (twistcli), wiz, lacework, and the generic container-scan actions.
_SCANNER = LazyPattern(
    r"(?i)\b(trivy|grype|anchore/scan-action|snyk|docker[ /-]scout|scout-action|sysdig(?:labs)?|clair(?:ctl)?|neuvector"
    r"|twistcli|prisma-cloud-scan|wizcli|lacework|container-scan)\b"
)


def scanner_in(text: str) -> str | None:
    """The first image scanner a CI file mentions, lower-case, or None."""
    found = _SCANNER.search(text)
    return found.group(1).lower() if found else None
