from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "marketing"
    verbose_name = "Marketing enablement"

    def ready(self) -> None:
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        import marketing.confirmations  # noqa: F401  (registers its irreversible actions' texts)
        from marketing import campaign_selectors, search_providers, selectors, syndication_setup
        from marketing import home as marketing_home
        from marketing.models import (
            AssetKind,
            AssetLanguage,
            AssetStatus,
            ContactStatus,
            KitStatus,
            SequenceStatus,
            TemplateKind,
        )
        from partners import questions
        from prm import context_processors, home, labels, roles, tenancy
        from prm.notifications import link_check_register
        from prm.roles import Role

        # Landing pages (/c/...) and tracked links (/t/...): anonymous views and clicks run as
        # one-statement hits (prm.tenancy, "Hits"; the views are marked @tenant_hit).
        tenancy.register_hit_prefix("/c/")
        tenancy.register_hit_prefix("/t/")
        roles.register(
            {
                # Staff see the whole library; partner people what their type and tier may see.
                "marketing.view": set(roles.PROGRAM_ROLES),
                # Staff publish assets and write co-brandable templates.
                "marketing.manage": {Role.ADMIN, Role.CHANNEL_MANAGER},
                # A partner's admins keep its brand kit (logo, colours, contact block).
                "marketing.brand": {Role.PARTNER_ADMIN},
                # A partner's admins launch campaigns for their company, upload its contacts
                # and run the campaign's e-mail sequence.
                "marketing.campaign": {Role.PARTNER_ADMIN},
                # A partner's people see the contacts of its own campaigns (staff: figures only).
                "marketing.contacts": {Role.PARTNER_ADMIN, Role.PARTNER_USER},
            }
        )
        link_check_register(
            "marketing.campaign",
            lambda member, pk: (
                campaign_selectors.campaigns_visible_to(member).filter(pk=pk).exists()
            ),
        )
        link_check_register(
            "marketing.asset",
            lambda member, pk: selectors.assets_visible_to(member).filter(pk=pk).exists(),
        )
        entry = context_processors.NavEntry
        context_processors.NAV.extend(
            [
                # Beside the funds that pay for campaigns (the "funds" group, MDF).
                entry("funds", 40, _("Marketing assets"), "marketing-library", "marketing.view"),
                entry(
                    "funds", 45, _("Co-branded copy"), "marketing-template-list", "marketing.view"
                ),
                entry("funds", 50, _("Brand kit"), "marketing-brand-kit", "marketing.brand"),
                entry("funds", 55, _("Campaigns"), "marketing-campaign-list", "marketing.view"),
            ]
        )
        labels.register_choices("asset_kind", AssetKind)
        labels.register_choices("asset_status", AssetStatus)
        labels.register_choices("asset_language", AssetLanguage)
        labels.register_choices("cobrand_kind", TemplateKind)
        labels.register_choices("campaign_kit_status", KitStatus)
        labels.register_choices("campaign_sequence_status", SequenceStatus)
        labels.register_choices("campaign_contact_status", ContactStatus)
        home.register(
            order=35,
            key="marketing",
            capability="marketing.view",
            template="marketing/home/new_assets.html",
            context=marketing_home.new_assets,
        )
        home.register(
            order=36,
            key="marketing-campaigns-partner",
            capability="marketing.view",
            template="marketing/home/campaigns_partner.html",
            context=marketing_home.partner_campaigns,
        )
        home.register(
            order=36,
            key="marketing-campaigns-staff",
            capability="marketing.manage",
            template="marketing/home/campaigns_staff.html",
            context=marketing_home.staff_campaigns,
        )
        search_providers.register()
        syndication_setup.register()
        # MDF asks whether a fund request's campaign code is one of the partner's campaigns.
        questions.answer("partner.marketing_campaign_of", campaign_selectors.is_partners_campaign)
        # MDF asks for a campaign's figures to pre-fill and prove the claim of a request
        # that funded it.
        questions.answer("campaign.figures", campaign_selectors.campaign_figures)
