"""Upload checks: type from the bytes (not the name or the browser's word), size, and pixel
count (an image that declares 30,000 x 30,000 pixels is refused from its header, before
anything decodes it: a decompression bomb)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_IMAGE_BYTES = 2 * 1024 * 1024


def max_image_pixels() -> int:
    """PRM_MAX_IMAGE_PIXELS, 40 megapixels by default (a 8000 x 5000 photo)."""
    return int(getattr(settings, "PRM_MAX_IMAGE_PIXELS", 40_000_000))


def image_format(upload, invalid_message) -> str:
    """The Pillow format of `upload` ("PNG", "JPEG", ...) after a structural check; raises
    ValidationError(invalid_message) for anything Pillow cannot read, and a clear error for an
    image with more than max_image_pixels() pixels. Nothing is decoded."""
    try:
        upload.seek(0)
        with Image.open(upload) as img:
            width, height = img.size
            if width * height > max_image_pixels():
                raise ValidationError(
                    _("The image is too large: at most %(mp)s megapixels.")
                    % {"mp": max_image_pixels() // 1_000_000},
                    code="too_many_pixels",
                )
            fmt = img.format
            img.verify()
    except Image.DecompressionBombError:
        raise ValidationError(
            _("The image is too large: at most %(mp)s megapixels.")
            % {"mp": max_image_pixels() // 1_000_000},
            code="too_many_pixels",
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ValidationError(invalid_message, code="type") from None
    finally:
        upload.seek(0)
    return fmt


def validate_image_upload(upload) -> None:
    if upload.size > MAX_IMAGE_BYTES:
        raise ValidationError(_("The image is larger than 2 MB."))
    if image_format(upload, _("Upload a PNG or JPEG image.")) not in ("PNG", "JPEG"):
        raise ValidationError(_("Upload a PNG or JPEG image."))


def clean_filename(name: str, default: str = "document") -> str:
    """A display name for a download: the base name only, printable, none of the characters
    that quote, redirect or glob (`"<>|:*?`), at most the last 200 characters (so the
    extension stays), `default` when nothing is left. Every app's uploads use this one."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?\r\n')
    return base[-200:] or default
