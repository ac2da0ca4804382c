"""Labels of the audit actions this app writes (prm.labels), registered in ready()."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "predict.settings_changed": _("Churn definition changed"),
    "predict.training_requested": _("Model training requested"),
    "predict.model_trained": _("Predictive model trained"),
    "predict.model_insufficient": _("Model training found too little history"),
    "predict.model_retired": _("Predictive model retired"),
    "predict.ipp_weights_accepted": _("Suggested ideal partner profile weights applied"),
}
