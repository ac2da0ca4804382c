from __future__ import annotations

import zoneinfo
from pathlib import Path

from django import forms
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from prm import iso, labels
from prm.models import ApiKey, Member, Tenant, User
from prm.roles import Role, invitable_roles
from prm.uploads import validate_image_upload

# The project's own apps live below this folder (installed packages do not).
ROOT = Path(__file__).resolve().parent.parent


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    partner = forms.ModelChoiceField(
        label=_("Partner company"),
        queryset=Member.partner.field.related_model.objects.none(),
        required=False,
        help_text=_("Required for partner roles."),
    )

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = invitable_roles(member.role)
        self.fields["role"].choices = [c for c in Role.choices if c[0] in allowed]
        if member.role == Role.PARTNER_ADMIN:
            del self.fields["partner"]
        else:
            partners = self.fields["partner"].queryset.model.objects
            self.fields["partner"].queryset = partners.order_by("name")


class MemberEditForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, member, target, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = invitable_roles(member.role)
        partner_side = target.partner_id is not None
        self.fields["role"].choices = [
            c
            for c in Role.choices
            if c[0] in allowed and (c[0] in ("partner_admin", "partner_user")) == partner_side
        ]


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(
                    p1, User(email=self.email, full_name=data.get("full_name", ""))
                )
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


def _timezones():
    return sorted((z, z) for z in zoneinfo.available_timezones() if "/" in z or z == "UTC")


class TenantSettingsForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("Time zone"), choices=_timezones)
    default_currency = iso.currency_field(label=_("Default currency"), required=True)

    class Meta:
        model = Tenant
        fields = [
            "name",
            "default_currency",
            "timezone",
            "primary_colour",
            "logo",
            "require_mfa_for_staff",
            "require_mfa_for_partner_admins",
        ]
        widgets = {
            "primary_colour": forms.TextInput(attrs={"type": "color"}),
            "logo": forms.ClearableFileInput(
                attrs={"accept": ".png,.jpg,.jpeg,image/png,image/jpeg"}
            ),
        }
        help_texts = {"logo": _("PNG or JPEG, at most 2 MB.")}

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "content_type"):
            validate_image_upload(logo)
        return logo

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["default_currency"].show_stored(self.instance.default_currency)


class HostForm(forms.Form):
    host = forms.CharField(
        label=_("Custom domain"),
        max_length=253,
        help_text=_(
            "e.g. partners.example.com; point its DNS at this service. It serves your "
            "portal once verified with the DNS record shown after adding it."
        ),
    )


SCOPE_LABELS = {
    "read": _("Read: list and fetch data"),
    "write": _("Write: create and change data"),
}


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What will use this key, e.g. “Salesforce sync”."),
    )
    # Required, and honest about it: "read" is preselected (the usual choice), and a key with
    # neither box ticked is refused at the field, not created with a default scope.
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=[(s, SCOPE_LABELS[s]) for s in ApiKey.SCOPES],
        initial=["read"],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose read, write or both.")},
        help_text=_("Read is preselected; tick write too if the key changes data."),
    )


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Browser default")), *settings.LANGUAGES],
    )


def _audit_action_choices() -> list:
    """Every known audit action by its label, after one "all <area>" entry per area (the part
    before the dot): the filter matches actions that start with the value chosen."""
    codes = {**labels.known(labels.EVENT), **labels.known(labels.ACTION)}
    areas = sorted({code.split(".", 1)[0] for code in codes if "." in code})
    area_choices = [
        (f"{area}.", _("All: %(area)s") % {"area": labels.humanize(area)}) for area in areas
    ]
    actions = sorted(
        ((code, labels.label(labels.ACTION, code)) for code in codes), key=lambda c: str(c[1])
    )
    return [
        ("", _("All actions")),
        (_("Areas"), area_choices),
        (_("Actions"), actions),
    ]


def _audit_object_choices() -> list:
    """The models of this product, by name (an audit entry names its object by model label)."""
    roots = {app.name for app in django_apps.get_app_configs() if app.path.startswith(str(ROOT))}
    models = [
        (m._meta.label_lower, str(m._meta.verbose_name).capitalize())
        for m in django_apps.get_models()
        if m._meta.app_config.name in roots
    ]
    return [("", _("All objects")), *sorted(models, key=lambda c: c[1])]


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("Actor"), required=False, help_text=_("Name or e-mail."))
    object_type = forms.ChoiceField(label=_("Object"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = _audit_action_choices()
        self.fields["object_type"].choices = _audit_object_choices()

    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data
