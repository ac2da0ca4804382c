"""Labels of the audit actions this app writes (prm.labels), registered in ready()."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "analytics.review_requested": _("Business review requested"),
    "analytics.exported": _("Analytics exported"),
    "analytics.rollup_requested": _("ROPI rollup requested"),
    "analytics.rollups_marked_stale": _("Rollups marked out of date"),
    "analytics.survey_answered": _("Partner survey answered"),
    "analytics.settings_updated": _("Analytics settings updated"),
    "analytics.program_cost_added": _("Program cost added"),
    "analytics.partner_at_risk": _("Partner marked at risk"),
    "analytics.at_risk_notified": _("At-risk alert sent"),
}
