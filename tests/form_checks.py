"""Checks of forms rendered by templates/_form.html: an error sits at its field (inside the
field's container, named by the control's aria-describedby) and is linked from the summary."""

from __future__ import annotations

from tests.html_helpers import find, find_all


def inside(element, **attrs) -> bool:
    """Whether an ancestor of `element` has these attributes (`class_`: among its classes)."""
    wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
    element = element.parent
    while element is not None:
        if element.matches(None, None, wanted):
            return True
        element = element.parent
    return False


def assert_error_at_field(page, name: str, text: str, *, control_id: str | None = None) -> None:
    error = find(page, "p", id=f"id_{name}_error")
    assert inside(error, id=f"id_{name}_field"), f"the error of {name} is not at its field"
    assert text in error.text(), error.text()
    control = find(page, id=control_id or f"id_{name}")
    assert control.attrs.get("aria-invalid") == "true"
    assert f"id_{name}_error" in control.attrs["aria-describedby"].split()


def summary_links(page) -> set[str]:
    """The targets of the error summary's links (one summary, role=alert)."""
    find(page, "div", role="alert", class_="error-summary")
    return {a.attrs["href"] for a in find_all(page, "a") if inside(a, class_="error-summary")}
