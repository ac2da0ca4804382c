"""The state machines of webhook endpoints and deliveries, declared once (prm.states).

Services check every move here (`ENDPOINT.check(endpoint, member, "disable")`,
`DELIVERY.check(delivery, member, "redeliver")`, or `check_move` for the relay's own moves);
portal views hand `allowed(obj, member)` to the templates, which offer exactly those actions.

A delivery is `pending` (waiting for its first attempt, or retrying after a failed one:
`WebhookDelivery.is_retrying`), `delivered`, or `failed`: dead, every attempt for the retry
window (`integrations.relay.RETRY_FOR`) failed. Redelivery makes any of them pending again.
An endpoint's state is derived from `is_active` (`WebhookEndpoint.state`).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from integrations.models import DeliveryStatus, EndpointState
from prm.roles import has_perm
from prm.states import StateMachine, action


def manages_webhooks(_obj, member) -> bool:
    return has_perm(member.role, "webhooks.manage")


E = EndpointState
ENDPOINT = StateMachine(
    field="state",
    actions=[
        action("edit", _("Save"), E.values, who=manages_webhooks),
        action("disable", _("Disable"), [E.ACTIVE], E.DISABLED, who=manages_webhooks),
        action("enable", _("Enable"), [E.DISABLED], E.ACTIVE, who=manages_webhooks),
        action("rotate_secret", _("Create a new secret"), E.values, who=manages_webhooks),
        # The relay disables an endpoint whose every delivery failed for a day.
        action("disable_failing", _("Disable"), [E.ACTIVE], E.DISABLED, system=True),
    ],
)

D = DeliveryStatus
DELIVERY = StateMachine(
    actions=[
        # Whatever the outcome so far: one more attempt now, the retry window starts again.
        action("redeliver", _("Redeliver now"), D.values, D.PENDING, who=manages_webhooks),
        # The relay's moves (integrations.relay.deliver_one).
        action("deliver", _("Delivered"), [D.PENDING], D.DELIVERED, system=True),
        action("retry", _("Try again later"), [D.PENDING], system=True),
        action("give_up", _("Give up"), [D.PENDING], D.FAILED, system=True),
    ]
)
