"""Demo data for predictive models. The demo tenant's own partners have a few months of
history, far too little to learn from; so the seed adds two years of lead history generated
by the documented process of predict.synthetic (40 partners with made-up names, 1,200 leads:
partners win more often in their region and specialty, good partners win more, large deals
less often), and two years of engagement for 60 more partners (their people's sign-ins and
weekly health; half of them fade out and go quiet), owned by the channel manager. Then it
trains every model as the weekly training would: matching learns the lead history and beats
the fixed routing weights, so demo leads are routed by it with its reasons; win probability
learns the deal sizes the rule (a partner's win rate) cannot see; churn learns the fading
sign-ins the health score shows only weakly, so the manager sees the partners going quiet
with reasons. The learned IPP finds too few approved applications and says so ("not enough
history"), the IPP weights staying as set. Each model is used only if its hold-out beats
the rule. Runs inside the demo tenant's context after the other apps' seeds (manage.py
seed_demo)."""

from __future__ import annotations

from predict import services, synthetic
from predict.models import Task
from prm.models import Member
from prm.roles import Role


def seed(*, tenant, partners: dict) -> None:
    synthetic.build_leads(tenant, kind="signal", partners=40, leads=1200, prefix=None)
    manager = Member.objects.filter(role=Role.CHANNEL_MANAGER).order_by("pk").first()
    synthetic.build_engagement(
        tenant, kind="signal", partners=60, prefix=None, offset=40, owner=manager
    )
    for task in Task.values:
        services.model_train(tenant=tenant, task=task)
