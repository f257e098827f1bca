"""Text from the pull request, rendered by GitHub's own markdown library, shows as typed and does nothing:
no HTML, link, image, mention or issue reference, and no block (heading, list, quote) it would start."""
from __future__ import annotations

import html
import re

import cmarkgfm
import pytest

from nodeguard.github.comments import code_span, inert_text, markdown_text
from nodeguard.report.common import printable
from tests.github.markdown import assert_inert

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "svc`<img src=x>`x/Dockerfile",
    "`@org/team`` <b>bold</b>",
    "``` a `` b ` c",
    "[x](https://evil.example) ![y](https://evil.example/i.png) [z]: https://evil.example",
    "https://evil.example www.evil.example a@b.example mailto:a@b.example xmpp:a@b.example",
    "#1 @octocat octo-org/shop#2 *em* _em_ ~~gone~~ $x$ &amp; &#64;",
    "- item",
    "# heading",
    "12. item",
    "    indented code",
    "> quote",
    "\\`not code` \\\\`code`",
    "<!-- hidden -->",
    "line\n# heading\n<script>",
    "| a | b |",
    "` `` ` ```",
    "`",
    " ` padded ` ",
]


def rendered_text(markdown: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", cmarkgfm.github_flavored_markdown_to_html(markdown))).removesuffix("\n")


@pytest.mark.parametrize("text", HOSTILE)
def test_untrusted_text_renders_inert_and_as_typed(text):
    for markdown in (inert_text(text), markdown_text(text), code_span(text), f"### {code_span(text)}"):
        assert_inert(markdown)
    # A paragraph drops its leading spaces; messages never start with one (markdown_text strips them).
    assert rendered_text(inert_text(text)).replace("\u200b", "").strip() == printable(text).strip()
    assert rendered_text(code_span(text)) == printable(text)


def test_code_spans_outgrow_the_backticks_inside():
    assert code_span("a ``b`` c") == "```a ``b`` c```"
    assert code_span("`x") == "`` `x ``"
    assert code_span("plain") == "`plain`"


def test_a_message_keeps_its_code_spans_and_escapes_the_rest():
    assert markdown_text("use `npm ci` <b> @org/team #12") == "use `npm ci` \\<b\\> @\u200borg/team #\u200b12"
