"""Upload checks: type from the bytes (not the name or the browser's word) and size."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_IMAGE_BYTES = 2 * 1024 * 1024


def validate_image_upload(upload) -> None:
    from PIL import Image, UnidentifiedImageError

    if upload.size > MAX_IMAGE_BYTES:
        raise ValidationError(_("The image is larger than 2 MB."))
    try:
        upload.seek(0)
        with Image.open(upload) as img:
            fmt = img.format
            img.verify()
    except (UnidentifiedImageError, OSError, ValueError):
        raise ValidationError(_("Upload a PNG or JPEG image."))
    finally:
        upload.seek(0)
    if fmt not in ("PNG", "JPEG"):
        raise ValidationError(_("Upload a PNG or JPEG image."))


def clean_filename(name: str) -> str:
    """A display name for a download: the base name only, printable, no quotes or line
    breaks, at most the last 200 characters ("document" when nothing is left)."""
    import os

    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"\r\n')
    return base[-200:] or "document"
