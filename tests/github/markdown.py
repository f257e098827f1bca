"""Markdown as GitHub renders it (cmarkgfm: GitHub's own cmark-gfm), to check that text from a pull
request stays inert: no raw HTML, no link, no image, no mention or issue reference comes out of it."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import cmarkgfm
from cmarkgfm.cmark import Options

from nodeguard.rules.base import DOCS_URL


class RenderedMarkdown(HTMLParser):
    """What GitHub's renderer makes of a markdown text: its tags, links, HTML comments, and the text that
    stands outside code (where GitHub turns @name into a mention and #1 into a reference)."""

    def __init__(self, markdown: str):
        super().__init__()
        self.tags, self.links, self.comments, self.plain, self._code = [], [], [], [], 0
        self.feed(cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE))

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.links += [value for name, value in attrs if name in ("href", "src")]
        self._code += tag in ("code", "pre")

    def handle_endtag(self, tag):
        self._code -= tag in ("code", "pre")

    def handle_comment(self, data):
        self.comments.append(data)

    def handle_data(self, data):
        if not self._code:
            self.plain.append(data)


SAFE_TAGS = {"p", "h2", "h3", "ul", "li", "strong", "em", "code", "pre", "a"}
MENTION_OR_REFERENCE = re.compile(r"(?:^|[^\w`])(?:@[A-Za-z0-9]|#\d)")


def assert_inert(markdown: str, marker_comments: int = 0) -> None:
    rendered = RenderedMarkdown(markdown)
    assert set(rendered.tags) <= SAFE_TAGS, markdown
    assert all(link.startswith(DOCS_URL.split("{")[0]) for link in rendered.links), rendered.links
    assert len(rendered.comments) == marker_comments and all(c.startswith(" nodeguard:") for c in rendered.comments)
    assert not MENTION_OR_REFERENCE.search("".join(rendered.plain)), "".join(rendered.plain)
