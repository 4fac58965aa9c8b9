"""Plain text from mail HTML (for quote stripping and for messages without a text
part), and safe HTML from plain text (for ticket bodies)."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
_SKIPPED = frozenset({"head", "script", "style", "title", "template", "noscript", "xml"})
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


class _TextCollector(HTMLParser):
    """Text of an HTML document: blocks on lines of their own, quoted blocks
    (`<blockquote>`) prefixed with "> " the way text mail quotes them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skipping = 0
        self.quote_depth = 0
        self.pre_depth = 0

    def _break(self) -> None:
        text = "".join(self.current)
        self.current = []
        pieces = text.split("\n") if self.pre_depth else [_SPACES.sub(" ", text).strip()]
        prefix = "> " * self.quote_depth
        for piece in pieces:
            self.lines.append(f"{prefix}{piece}".rstrip() if piece else prefix.rstrip())

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self._break()
        elif tag in _BLOCKS:
            if "".join(self.current).strip():
                self._break()
            if tag == "blockquote":
                self.quote_depth += 1
            elif tag == "pre":
                self.pre_depth += 1
            elif tag == "hr":
                self.lines.append("")
            elif tag == "li":
                self.current.append("- ")
            elif tag in ("td", "th"):
                self.current.append(" ")

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr") and tag in _BLOCKS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS and tag not in ("td", "th"):
            if "".join(self.current).strip() or tag in ("p", "pre"):
                self._break()
            if tag == "blockquote":
                self.quote_depth = max(0, self.quote_depth - 1)
            elif tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.current.append(data)

    def text(self) -> str:
        if self.current:
            self._break()
        return _BLANK_RUNS.sub("\n\n", "\n".join(self.lines)).strip()


def html_to_text(html: str) -> str:
    """The readable text of `html`; never raises on broken markup."""
    collector = _TextCollector()
    try:
        collector.feed(html or "")
        collector.close()
    except Exception:  # a hostile document must not stop the message
        return _SPACES.sub(" ", re.sub(r"<[^>]*>", " ", html or "")).strip()
    return collector.text()


def text_to_html(text: str) -> str:
    """Plain text as HTML: escaped, blank lines between paragraphs, line breaks kept."""
    paragraphs = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    return "".join(
        "<p>" + "<br>".join(escape(line) for line in paragraph.split("\n")) + "</p>"
        for paragraph in paragraphs if paragraph.strip()
    )
