from celery.schedules import crontab
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PredictConfig(AppConfig):
    name = "predict"
    verbose_name = "Predictive models"

    def ready(self) -> None:
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        import predict.confirmations  # noqa: F401  (registers the IPP accept confirmation)
        from analytics import risk_models
        from dealreg import routing_models
        from predict import home as predict_home
        from predict import panels, risk, routing
        from predict.models import ModelStatus, Task
        from prm import context_processors, home, labels, roles
        from prm.celery import app as celery_app
        from prm.roles import Role

        roles.register(
            {
                # Staff read churn risk and its reasons beside a partner's health.
                "predict.view": {Role.ADMIN, Role.CHANNEL_MANAGER},
                # Admins read models' figures, retrain and set the churn definition.
                "predict.manage": {Role.ADMIN},
            }
        )
        context_processors.NAV.append(
            context_processors.NavEntry(
                "analytics", 60, _("Predictive models"), "predict-models", "predict.manage"
            )
        )
        labels.register_choices("prediction_task", Task)
        labels.register_choices("prediction_model_status", ModelStatus)
        panels.register()
        risk_models.register(risk.at_risk)
        routing_models.register(routing.rank)
        home.register(
            order=35,
            key="predict-forecast",
            capability="predict.view",
            template="predict/home/forecast.html",
            context=predict_home.forecast_home,
        )
        celery_app.conf.beat_schedule["predict-weekly-training"] = {
            # Retrain every tenant's models on Sunday night (training also runs on demand).
            "task": "predict.train_all",
            "schedule": crontab(minute=40, hour=3, day_of_week=0),
        }
        celery_app.conf.beat_schedule["predict-nightly-scores"] = {
            # Rescore with the active models after the nightly health snapshots.
            "task": "predict.score_all",
            "schedule": crontab(minute=10, hour=5),
        }
