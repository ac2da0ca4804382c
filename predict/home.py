"""The forecast home card of staff (registered in PredictConfig.ready())."""

from __future__ import annotations

from predict import selectors
from prm.roles import Role


def forecast_home(member) -> dict:
    mine = member.role == Role.CHANNEL_MANAGER
    return {"mine": mine, **selectors.forecast(manager=member if mine else None)}
