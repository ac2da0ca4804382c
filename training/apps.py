from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Training"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from partners.models import Partner
        from partners.services import STATUS_CHANGE_HOOKS
        from prm import context_processors, roles
        from prm.roles import Role

        staff = {Role.ADMIN, Role.CHANNEL_MANAGER}
        partner_roles = {Role.PARTNER_ADMIN, Role.PARTNER_USER}
        roles.register(
            {
                "training.learn": partner_roles,
                "training.view": set(roles.ALL_ROLES),
                "training.team": {Role.PARTNER_ADMIN},
                "training.monitor": staff,
                "training.manage": {Role.ADMIN},
                # Set a partner person's training role: training.team (their partner
                # admin, on the team page) plus training.monitor (staff, on readiness).
                "training.roles": staff | {Role.PARTNER_ADMIN},
            }
        )
        context_processors.NAV.extend(
            [
                (15, _("My learning"), "training-my", "training.learn"),
                (23, _("Training readiness"), "training-readiness", "training.monitor"),
                (74, _("Training"), "training-admin-courses", "training.manage"),
            ]
        )
        _connect(post_save, Partner, STATUS_CHANGE_HOOKS)


def _connect(post_save, partner_model, status_change_hooks) -> None:
    """Training hooks: enrolment on partner activation, partner type change and a new
    member."""
    from prm.models import Member
    from training import services

    if services.on_partner_status_change not in status_change_hooks:
        status_change_hooks.append(services.on_partner_status_change)
    post_save.connect(
        _training_partner_saved, sender=partner_model, dispatch_uid="training.partner_saved"
    )
    post_save.connect(_training_member_saved, sender=Member, dispatch_uid="training.member_saved")


def _in_tenant() -> bool:
    from django_scopes import get_scope

    scope = get_scope()
    return bool(scope.get("_enabled")) and scope.get("tenant") is not None


def _training_partner_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw or created or not _in_tenant():
        return
    from training.services import on_partner_saved

    on_partner_saved(instance, update_fields)


def _training_member_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw or not _in_tenant():
        return
    from training.services import on_member_saved

    on_member_saved(instance, created=created, update_fields=update_fields)
