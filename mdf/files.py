"""Proof-of-performance uploads: the type comes from the bytes, never from the file name or the
browser's word for it, so a text file renamed to .pdf is refused."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from prm.uploads import (
    clean_filename,
    image_format,  # also refuses decompression bombs
)

MAX_PROOF_BYTES = 10 * 1024 * 1024

# (magic bytes, content type, extension)
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)
ACCEPTED = _("Upload a PDF, PNG or JPEG file.")


def sniff_proof(upload) -> tuple[str, str]:
    """Validate an uploaded proof file; returns (content type, extension) from its bytes.

    Refuses empty files, files over 10 MB, anything that is not a PDF, PNG or JPEG by its
    signature, images Pillow cannot verify, and PDFs without an end-of-file marker."""
    size = getattr(upload, "size", None) or 0
    if size > MAX_PROOF_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."), code="too_large")
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    match = next((sig for sig in SIGNATURES if head.startswith(sig[0])), None)
    if match is None:
        raise ValidationError(ACCEPTED, code="type")
    _magic, content_type, ext = match
    try:
        if ext == "pdf":
            upload.seek(max(0, size - 2048))
            if b"%%EOF" not in upload.read():
                raise ValidationError(ACCEPTED, code="type")
        else:
            fmt = image_format(upload, ACCEPTED)
            if fmt not in ("PNG", "JPEG"):
                raise ValidationError(ACCEPTED, code="type")
    finally:
        upload.seek(0)
    return content_type, ext


def sha256_of(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


clean_name = clean_filename  # the shared helper (prm.uploads)
