"""Labels of the audit actions this app writes (prm.labels), registered in ready()."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "marketing.asset.created": _("Marketing asset created"),
    "marketing.asset.updated": _("Marketing asset changed"),
    "marketing.asset.version_added": _("New version of a marketing asset"),
    "marketing.asset.published": _("Marketing asset published"),
    "marketing.asset.archived": _("Marketing asset archived"),
    "marketing.brand_kit.updated": _("Brand kit changed"),
    "marketing.template.created": _("Co-brandable template created"),
    "marketing.template.updated": _("Co-brandable template changed"),
    "marketing.template.published": _("Co-brandable template published"),
    "marketing.template.archived": _("Co-brandable template archived"),
    "marketing.syndication.updated": _("Content syndication settings changed"),
    "marketing.syndication.token_rotated": _("Content syndication snippet renewed"),
    "marketing.campaign_kit.created": _("Campaign kit created"),
    "marketing.campaign_kit.updated": _("Campaign kit changed"),
    "marketing.campaign_kit.published": _("Campaign kit published"),
    "marketing.campaign_kit.retired": _("Campaign kit retired"),
    "marketing.campaign.launched": _("Campaign launched"),
    "marketing.campaign.lead_received": _("Lead from a campaign's landing page"),
    "marketing.campaign.contacts_added": _("Contacts added to a campaign"),
    "marketing.campaign.contact_removed": _("Contact removed from a campaign"),
    "marketing.campaign.contact_unsubscribed": _("Campaign contact unsubscribed"),
    "marketing.campaign.contact_bounced": _("Campaign contact bounced"),
    "marketing.campaign.sequence_started": _("Campaign e-mails started"),
    "marketing.campaign.sequence_paused": _("Campaign e-mails paused"),
    "marketing.campaign.sequence_resumed": _("Campaign e-mails resumed"),
    "marketing.campaign.sequence_finished": _("Campaign e-mails finished"),
    "marketing.campaign.sequence_reopened": _("Campaign e-mails reopened for new contacts"),
}
