"""The languages marketing content is written in (assets, campaign kits). A module of its
own so the asset and the campaign models both use it without importing each other."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssetLanguage(models.TextChoices):
    EN = "en", _("English")
    DE = "de", _("German")
    FR = "fr", _("French")
    ES = "es", _("Spanish")
    IT = "it", _("Italian")
    NL = "nl", _("Dutch")
    PT = "pt", _("Portuguese")
    JA = "ja", _("Japanese")
