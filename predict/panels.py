"""Panels on other apps' pages (prm.panels): churn beside a partner's health score, the win
probability on a deal, the learned IPP weights beside the ideal partner profile."""

from __future__ import annotations

from predict import features, ipp, selectors
from predict.models import Task
from prm import panels
from prm.roles import has_perm


def factor_rows(factors: list[dict]) -> list[dict]:
    """Stored factors with their label in the reader's language."""
    return [
        {**f, "label": features.FEATURES.get(f["feature"], f["feature"]), "raises": f["effect"] > 0}
        for f in factors
    ]


def _context(request, partner):
    member = getattr(request, "member", None)
    if member is None or not has_perm(member.role, "predict.view"):
        return None
    score = selectors.churn_score(partner)
    return {
        "score": score,
        "factors": factor_rows(score.factors) if score else [],
        "model": selectors.active_model(Task.CHURN),
        "can_manage": has_perm(member.role, "predict.manage"),
    }


def _win_context(request, deal):
    member = getattr(request, "member", None)
    if member is None or not has_perm(member.role, "predict.view"):
        return None
    score = selectors.win_score(deal)
    if score is None:
        return None
    return {"score": score, "in_use": score.model.beats_rule}


def _ipp_context(request, profile):
    member = getattr(request, "member", None)
    if member is None or not has_perm(member.role, "predict.manage"):
        return None
    model = selectors.active_model(Task.IPP)
    rows = []
    if model is not None:
        current = ipp.current_weights(request.tenant)
        suggested = model.metrics.get("suggested_weights", {})
        rows = [
            {"label": label, "current": current[c], "suggested": suggested.get(c, 0)}
            for c, label in ipp.IPP_FEATURES.items()
        ]
    return {
        "model": model,
        "latest": selectors.latest_run(Task.IPP),
        "rows": rows,
        "accepted": bool(model and model.params.get("accepted_at")),
    }


def register() -> None:
    panels.register(
        "onboarding.idealpartnerprofile",
        order=10,
        key="predict-ipp",
        template="predict/_ipp_panel.html",
        context=_ipp_context,
    )
    panels.register(
        "dealreg.deal",
        order=30,
        key="predict-win",
        template="predict/_win_panel.html",
        context=_win_context,
    )
    panels.register(
        "partners.partner",
        order=10,
        key="predict-churn",
        template="predict/_churn_panel.html",
        context=_context,
    )
