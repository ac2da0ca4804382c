"""Training rules with no I/O: video links, lesson file types, quiz layout and scoring, the
attempt gate (limit and cool-down), expiry dates and reminder windows.

Plain values in, plain values out: the services, the portal and the API share them, and
they are tested on their own.
"""

from __future__ import annotations

import calendar
import datetime
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

# --- Video links --------------------------------------------------------------------------

# Hosts a lesson may link a video on. The portal's CSP allows no third-party frames, so a
# video is shown as a link, never embedded.
VIDEO_HOSTS = frozenset(
    {
        "youtube.com",
        "www.youtube.com",
        "m.youtube.com",
        "youtu.be",
        "youtube-nocookie.com",
        "www.youtube-nocookie.com",
        "vimeo.com",
        "www.vimeo.com",
        "player.vimeo.com",
    }
)


def clean_video_url(url: str) -> str:
    """The link, if it is https on an allowed host (no credentials, default port); raises
    ValueError with a message for people otherwise. Empty stays empty."""
    url = (url or "").strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValueError(_("Enter a valid link."))
    if parts.scheme != "https":
        raise ValueError(_("Video links must start with https://."))
    host = (parts.hostname or "").lower()
    if host not in VIDEO_HOSTS or parts.username or parts.password or port not in (None, 443):
        raise ValueError(_("Link a video on YouTube or Vimeo."))
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise ValueError(_("Enter a valid link."))
    return url


# --- Lesson files -------------------------------------------------------------------------

MAX_LESSON_FILE_BYTES = 25 * 1024 * 1024

# (signature, offset, content type, extension). ZIP covers the Office formats (docx, pptx,
# xlsx), which are ZIP containers.
_FILE_SIGNATURES = (
    (b"%PDF-", 0, "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"PK\x03\x04", 0, "application/zip", "zip"),
    (b"ftyp", 4, "video/mp4", "mp4"),
)
ALLOWED_EXTENSIONS = {
    "application/pdf": {"pdf"},
    "image/png": {"png"},
    "image/jpeg": {"jpg", "jpeg"},
    "application/zip": {"zip", "docx", "pptx", "xlsx"},
    "video/mp4": {"mp4", "m4v"},
}


def sniff_lesson_file(head: bytes) -> str | None:
    """The content type from the first bytes (PDF, PNG, JPEG, ZIP/Office, MP4); None for
    anything else. The name and the browser's declared type are never trusted."""
    for signature, offset, content_type, _ext in _FILE_SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return content_type
    return None


def download_name(name: str, content_type: str) -> str:
    """A safe file name for Content-Disposition whose extension matches the sniffed type."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c if c.isalnum() or c in "-_. " else "-" for c in base).strip(" .")[:150]
    stem, dot, ext = base.rpartition(".")
    if dot and stem and ext.lower() in ALLOWED_EXTENSIONS.get(content_type, set()):
        return f"{stem}.{ext.lower()}"
    default = next((e for _s, _o, t, e in _FILE_SIGNATURES if t == content_type), "bin")
    return f"{base or 'file'}.{default}"


# --- Quiz layout and scoring --------------------------------------------------------------


def shuffled_layout(
    questions: Sequence[tuple[int, Sequence[int]]], rng: random.Random
) -> list[dict]:
    """A fresh order of questions, and of each question's options, for one attempt."""
    layout = [{"q": qid, "o": list(options)} for qid, options in questions]
    rng.shuffle(layout)
    for item in layout:
        rng.shuffle(item["o"])
    return layout


@dataclass(frozen=True)
class Score:
    correct: int
    total: int
    percent: int


def score(
    layout: Iterable[dict],
    answers: Mapping[int, Iterable[int]],
    correct: Mapping[int, set[int]],
) -> Score:
    """All-or-nothing per question: right when the chosen options are exactly the correct
    ones. Questions of the layout that no longer exist (`correct` lacks them) do not count."""
    total = right = 0
    for item in layout:
        qid = item["q"]
        if qid not in correct:
            continue
        total += 1
        if set(answers.get(qid, ())) == correct[qid] and correct[qid]:
            right += 1
    if total == 0:
        return Score(0, 0, 0)
    percent = (Decimal(right * 100) / Decimal(total)).quantize(Decimal("1"), ROUND_HALF_UP)
    return Score(right, total, int(percent))


@dataclass(frozen=True)
class Gate:
    """Whether a learner may start an attempt now, and why not."""

    allowed: bool
    reason: str = ""
    used: int = 0
    left: int | None = None  # None: no limit
    ready_at: datetime.datetime | None = None


def attempt_gate(
    *,
    max_attempts: int,
    cooldown_hours: int,
    submitted: Sequence[tuple[datetime.datetime, bool]],
    now: datetime.datetime,
) -> Gate:
    """`submitted`: (submitted_at, passed) of this round's attempts. Passing ends the quiz;
    the limit counts attempts per round; the cool-down runs from the last failed attempt."""
    used = len(submitted)
    left = None if not max_attempts else max(0, max_attempts - used)
    if any(passed for _at, passed in submitted):
        return Gate(False, _("You passed this quiz."), used, left)
    if max_attempts and used >= max_attempts:
        return Gate(
            False,
            _("You have used all %(n)d attempts. Ask your partner program team for help.")
            % {"n": max_attempts},
            used,
            left,
        )
    if submitted and cooldown_hours:
        last = max(at for at, _passed in submitted)
        ready = last + datetime.timedelta(hours=cooldown_hours)
        if now < ready:
            return Gate(False, _("You can try again later."), used, left, ready)
    return Gate(True, "", used, left)


# --- Validity -----------------------------------------------------------------------------


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same time `months` later; the day is clamped to the month's length (31 Jan + 1
    month = 28/29 Feb)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


REMINDER_DAYS = (30, 7)


def reminder_kind(expires_at: datetime.datetime, now: datetime.datetime) -> str | None:
    """The reminder due for a valid certificate: 'reminder_7' within 7 days of expiry,
    'reminder_30' within 30, None otherwise (or once it has expired)."""
    left = expires_at - now
    if left <= datetime.timedelta(0):
        return None
    if left <= datetime.timedelta(days=7):
        return "reminder_7"
    if left <= datetime.timedelta(days=30):
        return "reminder_30"
    return None
