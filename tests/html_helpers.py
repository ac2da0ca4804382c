"""Read rendered pages by their structure, not their text layout: which elements there are,
with which attributes and text. A test that matches raw HTML (`'<a href="/x" class="y">' in
page`) breaks when a template's attributes are reordered, wrapped onto several lines or
re-indented (djLint's formatter does all three) although the page means the same; these
helpers do not.

    find_all(page, "a", href="/members/", aria_current="page")  # -> [Element, ...]
    find(page, id="review-status").text()                     # exactly one element

Attribute names are given as keywords: a trailing `_` is dropped (`class_`) and `_` stands for
`-` (`aria_current`, `data_live_status`). A value of True asks only that the attribute is
there; `class_` asks that the element carries every class named (in any order, among others).
Built on the standard library's tolerant html.parser: no page is rejected for its markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str | None]
    parent: Element | None = None
    parts: list[str | Element] = field(default_factory=list)

    def text(self) -> str:
        """The text of the element and its descendants, whitespace collapsed."""
        out: list[str] = []
        for part in self.parts:
            out.append(part if isinstance(part, str) else part.text())
        return " ".join(" ".join(out).split())

    def matches(self, tag: str | None, text: str | None, attrs: dict[str, object]) -> bool:
        if tag is not None and self.tag != tag:
            return False
        if text is not None and self.text() != text:
            return False
        for name, wanted in attrs.items():
            if name not in self.attrs:
                return False
            value = self.attrs[name] or ""
            if name == "class" and isinstance(wanted, str):
                if not set(wanted.split()) <= set(value.split()):
                    return False
            elif wanted is not True and value != wanted:
                return False
        return True


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.open = [self.root]
        self.elements: list[Element] = []

    def _add(self, tag: str, attrs: list[tuple[str, str | None]]) -> Element:
        element = Element(tag, dict(attrs), parent=self.open[-1])
        self.open[-1].parts.append(element)
        self.elements.append(element)
        return element

    def handle_starttag(self, tag, attrs):
        element = self._add(tag, attrs)
        if tag not in VOID:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self._add(tag, attrs)

    def handle_endtag(self, tag):
        # Close up to the matching open element; a stray end tag is ignored.
        for i in range(len(self.open) - 1, 0, -1):
            if self.open[i].tag == tag:
                del self.open[i:]
                return

    def handle_data(self, data):
        self.open[-1].parts.append(data)


def _page_text(page) -> str:
    content = getattr(page, "content", page)
    return content.decode() if isinstance(content, bytes) else content


def elements(page) -> list[Element]:
    """Every element of `page` (a str, bytes or a test client's response), in document
    order."""
    builder = _Builder()
    builder.feed(_page_text(page))
    builder.close()
    return builder.elements


def _attribute_name(keyword: str) -> str:
    return keyword.rstrip("_").replace("_", "-")


def find_all(page, tag: str | None = None, /, *, text: str | None = None, **attrs) -> list:
    """The elements named `tag` (any, if None) with the attributes and (whole, collapsed)
    text asked for."""
    wanted = {_attribute_name(k): v for k, v in attrs.items()}
    return [e for e in elements(page) if e.matches(tag, text, wanted)]


def find(page, tag: str | None = None, /, *, text: str | None = None, **attrs) -> Element:
    """The one element matching (see find_all); fails the test if there is none or several."""
    found = find_all(page, tag, text=text, **attrs)
    assert len(found) == 1, f"{len(found)} elements <{tag or '*'} {attrs}> (text={text!r})"
    return found[0]
