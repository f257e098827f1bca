import pytest

from nodeguard.policy.globs import glob_to_regex, matches, matches_any


@pytest.mark.parametrize("glob, path", [
    ("Dockerfile", "Dockerfile"),
    ("**/Dockerfile*", "Dockerfile"),
    ("**/Dockerfile*", "services/api/Dockerfile.prod"),
    ("legacy/**", "legacy/a/b/Dockerfile"),
    ("docker/*.dockerfile", "docker/api.dockerfile"),
    ("a/**/b/Dockerfile", "a/b/Dockerfile"),
    ("a/**/b/Dockerfile", "a/x/y/b/Dockerfile"),
    ("svc?/Dockerfile", "svc1/Dockerfile"),
    ("svc[0-9]/Dockerfile", "svc7/Dockerfile"),
    ("svc[!0-9]/Dockerfile", "svcx/Dockerfile"),
    ("./tools/**", "tools/Dockerfile"),
    ("tools/**", "./tools/Dockerfile"),
    ("weird[name", "weird[name"),
    ("a+b(c)/Dockerfile", "a+b(c)/Dockerfile"),
])
def test_matches(glob, path):
    assert matches(glob, path)


@pytest.mark.parametrize("glob, path", [
    ("Dockerfile", "sub/Dockerfile"),  # globs are anchored at the repository root
    ("*/Dockerfile", "a/b/Dockerfile"),  # * stays inside one folder
    ("docker/*.dockerfile", "docker/sub/api.dockerfile"),
    ("legacy/**", "legacy2/Dockerfile"),
    ("svc?/Dockerfile", "svc/Dockerfile"),
    ("svc?/Dockerfile", "svc//Dockerfile"),
    ("svc[!0-9]/Dockerfile", "svc1/Dockerfile"),
    ("a[/]b", "a/b"),  # a class never matches the folder separator
    ("a+b(c)/Dockerfile", "aab(c)/Dockerfile"),
    ("dockerfile", "Dockerfile"),  # case matters, as on Linux
])
def test_does_not_match(glob, path):
    assert not matches(glob, path)


def test_double_star_slash_is_zero_or_more_folders():
    assert glob_to_regex("**/x") == "(?:.*/)?x"


def test_matches_any():
    assert matches_any(["a/**", "b/**"], "b/Dockerfile")
    assert not matches_any([], "b/Dockerfile")
