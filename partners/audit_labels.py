"""Labels of the audit actions this app writes (prm.labels), registered in ready()."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "partner.created": _("Partner created"),
    "partner.domains_changed": _("Partner domains changed"),
    "partner.domains_proposal_superseded": _("Domain proposal superseded"),
    "partner.domains_proposed": _("Domains proposed"),
    "partner.domains_proposal_approved": _("Domain proposal approved"),
    "program.settings_updated": _("Program settings updated"),
    "tiers.evaluated": _("Tiers evaluated"),
    "tier_change.approved": _("Tier change approved"),
    "partner.tier_set_manually": _("Tier set by hand"),
    "partner.first_deal_recorded": _("First deal recorded"),
    "partners.exported": _("Partners exported"),
}
