"""tests/html_helpers.py reads a page by its structure: the same element written with its
attributes in another order, wrapped onto several lines or re-indented is found alike."""

from __future__ import annotations

import pytest

from tests.html_helpers import find, find_all

ONE_LINE = (
    '<ul><li><a href="/members/" class="nav current" aria-current="page">Members</a></li>'
    '<li><a href="/deals/">Deals</a></li></ul><progress max="10" value="0"></progress>'
    '<tr data-pending><td class="num">2.5</td></tr><input type="radio" name="d" value="off">'
)
REFORMATTED = """
<ul>
    <li>
        <a aria-current="page"
           class="current nav"
           href="/members/">
            Members
        </a>
    </li>
    <li><a href="/deals/">Deals</a></li>
</ul>
<progress value="0"
          max="10"></progress>
<tr data-pending>
    <td class="num">
        2.5
    </td>
</tr>
<input name="d" type="radio" value="off" />
"""


@pytest.mark.parametrize("page", [ONE_LINE, REFORMATTED], ids=["one-line", "reformatted"])
def test_elements_are_found_by_attributes_and_text_whatever_the_layout(page):
    link = find(page, "a", href="/members/", aria_current="page", class_="nav")
    assert link.text() == "Members" and link.parent.tag == "li"
    assert find_all(page, "progress", max="10", value="0")
    assert find_all(page, "td", class_="num", text="2.5")
    assert find_all(page, data_pending=True)
    assert [e.attrs["value"] for e in find_all(page, "input", name="d")] == ["off"]


def test_what_is_not_there_is_not_found():
    assert not find_all(ONE_LINE, "a", href="/deals/", aria_current="page")
    assert not find_all(ONE_LINE, "a", class_="nav missing")
    assert not find_all(ONE_LINE, "td", text="2")
    assert not find_all(ONE_LINE, "progress", max="11")
    with pytest.raises(AssertionError):
        find(ONE_LINE, "li")
