"""Shared by the training services: permission checks, code and model validation, and the
sanitised Markdown of lessons. (E-mail to members: prm.notifications.notify_addresses.)"""

from __future__ import annotations

from collections.abc import Sequence

import markdown
import nh3
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from prm.errors import DomainError
from prm.models import Member
from prm.roles import require

CODE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


def _require(by: Member | None, capability: str) -> None:
    """prm.roles.require: the system (`by=None`) passes, members need the capability."""
    require(by, capability)


def _require_member(by: Member | None, capability: str) -> Member:
    """For actions only a person takes (building courses): the system is not enough."""
    require(by, capability, system=False)
    return by


def _clean_code(value: str, field: str = "code") -> str:
    code = (value or "").strip().upper()
    if not code:
        raise DomainError(_("Enter a code, e.g. SALES-101."), field=field)
    if len(code) > 40 or not set(code) <= CODE_CHARS:
        raise DomainError(
            _("Use up to 40 letters, digits, dashes, dots or underscores."), field=field
        )
    return code


def _validate(obj, exclude: Sequence[str] = ("tenant",)) -> None:
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field)


# --- Markdown -----------------------------------------------------------------------------

# No images (they would make browsers and the PDF renderer fetch other hosts), no frames.
LESSON_TAGS = nh3.ALLOWED_TAGS - {"img", "map", "area"}


def render_lesson_markdown(text: str) -> str:
    """Markdown to HTML, sanitised: no script, no styles, no event handlers, no images."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"])
    return nh3.clean(html, tags=LESSON_TAGS, link_rel="noopener noreferrer nofollow")
