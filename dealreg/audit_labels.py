"""Labels of the audit actions this app writes (prm.labels), registered in ready()."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "deal.prechecked": _("Conflict pre-check run"),
    "deals.exported": _("Deals exported"),
    "named_account.created": _("Named account created"),
    "deal.extension_requested": _("Protection extension requested"),
    "deal.extended": _("Protection extended"),
    "deal.extension_rejected": _("Protection extension rejected"),
    "deal.influencer_added": _("Influencer added to a deal"),
    "deal.influencer_updated": _("Deal influencer updated"),
    "deal.influencer_approved": _("Deal influencer approved"),
    "deal.influencer_rejected": _("Deal influencer rejected"),
    "lead.created": _("Lead created"),
    "lead.updated": _("Lead updated"),
    "lead.unassigned": _("Lead unassigned"),
    "lead.offered": _("Lead offered to a partner"),
    "lead.accepted": _("Lead accepted"),
    "lead.declined": _("Lead declined"),
    "lead.offer_timed_out": _("Lead offer timed out"),
    "deal.created": _("Deal registration created"),
    "deal.routed_to_review": _("Deal registration sent for review"),
    "deal.withdrawn": _("Deal registration withdrawn"),
    "deal.crm_linked": _("Deal linked to the CRM"),
    "direct_deal.created": _("Direct deal created"),
    "influence_claim.credited": _("Influence claim credited"),
    "influence_claim.submitted": _("Influence claim submitted"),
    "rules.published": _("Rules of engagement published"),
    "deal.name_keys_repaired": _("Deal name keys repaired"),
}
