"""Training's home sections (registered in TrainingConfig.ready()): a partner person's
courses still to finish and the certifications that expire soon."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from training.models import CertificateStatus, Course, CourseStatus, Enrollment
from training.selectors import certificates_visible_to

# A certificate expiring within this many days is shown as expiring soon.
EXPIRING_DAYS = 60
LISTED = 5


def partner_home(member) -> dict:
    """The member's own courses not finished yet (assigned, in progress) and the
    certificates they can see (a partner admin: the company's) expiring soon. Three queries."""
    now = timezone.now()
    courses = Enrollment.objects.filter(member=member, completed_at__isnull=True).aggregate(
        assigned=Count("id", filter=Q(started_at__isnull=True)),
        in_progress=Count("id", filter=Q(started_at__isnull=False)),
    )
    expiring = certificates_visible_to(member).filter(
        status=CertificateStatus.ACTIVE,
        expires_at__gte=now,
        expires_at__lte=now + datetime.timedelta(days=EXPIRING_DAYS),
    )
    listed = [
        {"certificate": c, "days_left": (c.expires_at - now).days}
        for c in expiring.order_by("expires_at")[:LISTED]
    ]
    return {
        "courses": courses,
        "expiring_count": expiring.count(),
        "expiring": listed,
        "expiring_days": EXPIRING_DAYS,
    }


def has_courses(tenant) -> bool:
    return Course.objects.filter(status=CourseStatus.PUBLISHED).exists()
