import pytest

from nodeguard.model.ignore import IgnorePattern, clean_path, parse_ignore_file


def excluded(patterns: list[str], path: str) -> bool:
    return parse_ignore_file(".dockerignore", "\n".join(patterns) + "\n").excludes(path)


@pytest.mark.parametrize(
    ("patterns", "path", "expected"),
    [
        # a bare name matches at the context root, and everything below it, nowhere else
        (["node_modules"], "node_modules", True),
        (["node_modules"], "node_modules/x/y.js", True),
        (["node_modules"], "packages/a/node_modules", False),
        (["node_modules"], "packages/a/node_modules/x.js", False),
        (["node_modules/"], "node_modules/express/index.js", True),
        (["**/node_modules"], "node_modules", True),
        (["**/node_modules"], "packages/a/node_modules", True),
        (["**/node_modules"], "packages/a/node_modules/x/index.js", True),
        (["**/node_modules"], "packages/a/my_node_modules", False),
        (["/.git"], ".git/HEAD", True),
        (["/.git"], "sub/.git/HEAD", False),
        (["./dist"], "dist/main.js", True),
        (["./dist"], "src/dist/main.js", False),
        (["dist/../build"], "build/x", True),
        # "*" and "?" never cross "/"
        ([".env*"], ".env", True),
        ([".env*"], ".env.production", True),
        ([".env*"], "config/.env", False),
        (["*.pem"], "key.pem", True),
        (["*.pem"], "certs/key.pem", False),
        (["*/*.pem"], "certs/key.pem", True),
        (["**/*.pem"], "a/b/c/key.pem", True),
        (["**/*.pem"], "key.pem", True),
        (["?.txt"], "a.txt", True),
        (["?.txt"], "ab.txt", False),
        # "**" in the middle: any number of folders, none included
        (["docs/**/*.md"], "docs/a.md", True),
        (["docs/**/*.md"], "docs/guide/deep/b.md", True),
        (["docs/**/*.md"], "docs/guide/b.txt", False),
        (["docs/**/*.md"], "other/docs/a.md", False),
        (["docs/**"], "docs/a/b", True),
        (["docs/**"], "docs", False),
        (["**"], "anything/at/all", True),
        (["**.log"], "logs/deep/app.log", True),
        (["build**/*.js"], "build-cache/x/y.js", True),
        (["src/*.js**"], "src/a.js.map", True),
        ([".*"], ".npmrc", True),
        ([".*"], "npmrc", False),
        # character classes and escapes (Go regexp classes: "^" negates, "!" is a plain member)
        (["[a-c].txt"], "b.txt", True),
        (["[a-c].txt"], "d.txt", False),
        (["[^a-c].txt"], "d.txt", True),
        (["[^a-c].txt"], "a.txt", False),
        (["[!a].txt"], "!.txt", True),
        (["[!a].txt"], "b.txt", False),
        (["\\*.txt"], "*.txt", True),
        (["\\*.txt"], "a.txt", False),
        (["\\d"], "1", True),  # Go's regexp meaning, as Docker reads it: a digit
        (["\\d"], "d", False),
        # regex metacharacters are literal
        (["a+b(1).txt"], "a+b(1).txt", True),
        (["a.txt"], "abtxt", False),
        (["$HOME"], "$HOME", True),
        # comments: only a "#" in the first column
        (["# comment"], "# comment", False),
        (["foo # not a comment"], "foo # not a comment", True),
        (["foo # not a comment"], "foo", False),
        ([" #indented"], "#indented", True),
        # negation re-includes; the last matching pattern wins
        ([".env*", "!.env.example"], ".env.example", False),
        ([".env*", "!.env.example"], ".env.local", True),
        (["!.env.example", ".env*"], ".env.example", True),
        (["node_modules", "!node_modules/keep"], "node_modules/keep/index.js", False),
        (["node_modules", "!node_modules/keep"], "node_modules/other/index.js", True),
        (["*.md", "!README.md", "README*"], "README.md", True),
        (["*.md", "!README.md"], "README.md", False),
        (["! README.md", "*.md"], "README.md", True),
        (["!/src"], "src/a.js", False),
        # a negation alone includes nothing that was not excluded
        (["!*.js"], "a.js", False),
        # the context root itself is never excluded
        (["*"], ".", False),
        (["*"], "anything", True),
        (["."], "a/b", False),
        ([], "anything", False),
    ],
)
def test_matching_table(patterns, path, expected):
    assert excluded(patterns, path) is expected


def test_parse_records_lines_text_and_cleaned_patterns():
    text = "\ufeff# deps\nnode_modules/\n\n  /.git  \r\n!./keep/../src/\n!\n*.log\n"
    ignore = parse_ignore_file("app/.dockerignore", text)
    assert ignore.path == "app/.dockerignore"
    assert ignore.lines == ("# deps", "node_modules/", "", "  /.git  ", "!./keep/../src/", "!", "*.log")
    assert ignore.patterns == (
        IgnorePattern(line=2, text="node_modules/", pattern="node_modules", negated=False),
        IgnorePattern(line=4, text="/.git", pattern=".git", negated=False),
        IgnorePattern(line=5, text="!./keep/../src/", pattern="src", negated=True),
        IgnorePattern(line=7, text="*.log", pattern="*.log", negated=False),
    )


def test_parse_empty_file():
    ignore = parse_ignore_file(".dockerignore", "")
    assert ignore.lines == () and ignore.patterns == ()
    assert not ignore.excludes("a")


def test_matching_pattern_names_the_deciding_line():
    ignore = parse_ignore_file(".dockerignore", "*.md\n!README*.md\nREADME.md\n")
    assert ignore.matching_pattern("CHANGELOG.md").line == 1
    assert ignore.matching_pattern("README-dev.md").line == 2
    assert ignore.matching_pattern("README.md").line == 3
    assert ignore.matching_pattern("src/index.js") is None


def test_matching_pattern_through_parent_folder():
    ignore = parse_ignore_file(".dockerignore", "coverage\n")
    assert ignore.matching_pattern("coverage/lcov/index.html").pattern == "coverage"


def test_paths_are_cleaned_before_matching():
    ignore = parse_ignore_file(".dockerignore", "dist\n")
    assert ignore.excludes("./dist/x.js")
    assert ignore.excludes("dist/")


def test_malformed_pattern_matches_nothing_and_does_not_raise():
    ignore = parse_ignore_file(".dockerignore", "[a-\n*.log\n")
    assert not ignore.excludes("[a-")
    assert ignore.excludes("x.log")


@pytest.mark.parametrize(
    ("path", "cleaned"),
    [("", "."), ("./a//b/../c/", "a/c"), ("//a", "/a"), ("/..", "/"), ("a/../..", ".."), ("node_modules/", "node_modules")],
)
def test_clean_path_like_go(path, cleaned):
    assert clean_path(path) == cleaned
