"""The declared state machine: what it derives (moves, allowed actions) and what it refuses."""

from types import SimpleNamespace

import pytest

from prm.errors import PermissionDenied
from prm.states import ActionNotAllowed, StateMachine, action

MACHINE = StateMachine(
    actions=[
        action("submit", "Submit", ["draft"], "submitted", who=lambda o, m: m.owner),
        action("approve", "Approve", ["submitted"], "approved", who=lambda o, m: m.staff),
        action(
            "cancel",
            "Cancel",
            ["submitted", "approved"],
            "cancelled",
            who=lambda o, m: m.owner,
            when=lambda o, _m: not o.has_claim,
            confirm=True,
        ),
        action("note", "Add a note", ["submitted", "approved"], who=lambda o, m: m.staff),
        action("expire", "Expire", ["approved"], "expired", system=True),
    ]
)
OWNER = SimpleNamespace(owner=True, staff=False)
STAFF = SimpleNamespace(owner=False, staff=True)


def thing(status, has_claim=False):
    return SimpleNamespace(status=status, has_claim=has_claim)


def test_moves_are_derived_from_the_declared_actions():
    assert MACHINE.targets("submitted") == {"approved", "cancelled"}
    assert MACHINE.targets("approved") == {"cancelled", "expired"}
    assert MACHINE.targets("cancelled") == set()


def test_allowed_depends_on_status_member_and_condition():
    assert MACHINE.allowed(thing("submitted"), OWNER) == {"cancel"}
    assert MACHINE.allowed(thing("submitted"), STAFF) == {"approve", "note"}
    assert MACHINE.allowed(thing("submitted", has_claim=True), OWNER) == frozenset()


def test_system_actions_are_never_offered_to_people():
    assert "expire" not in MACHINE.allowed(thing("approved"), STAFF)
    assert "expire" not in MACHINE.allowed(thing("approved"), OWNER)


def test_a_member_who_may_never_take_the_action_is_denied():
    with pytest.raises(PermissionDenied):
        MACHINE.check(thing("submitted"), OWNER, "approve")


def test_an_action_the_state_does_not_allow_is_refused_as_not_allowed():
    with pytest.raises(ActionNotAllowed):
        MACHINE.check(thing("approved"), STAFF, "approve")
    with pytest.raises(ActionNotAllowed):
        MACHINE.check(thing("approved", has_claim=True), OWNER, "cancel")


def test_the_system_may_take_a_persons_action_when_the_state_allows_it():
    assert MACHINE.check(thing("submitted"), None, "approve").target == "approved"


def test_undeclared_system_moves_are_refused():
    MACHINE.check_move("approved", "expired")
    with pytest.raises(ActionNotAllowed):
        MACHINE.check_move("draft", "approved")


def test_an_action_cannot_be_declared_twice():
    with pytest.raises(ValueError):
        StateMachine(actions=[action("a", "A", ["x"], "y"), action("a", "A", ["y"], "z")])


def test_a_refused_condition_explains_itself():
    machine = StateMachine(
        actions=[
            action(
                "cancel",
                "Cancel",
                ["approved"],
                "cancelled",
                when=lambda o, _m: not o.has_claim,
                refusal="It has a claim.",
            )
        ]
    )
    with pytest.raises(ActionNotAllowed, match="It has a claim."):
        machine.check(thing("approved", has_claim=True), OWNER, "cancel")
    with pytest.raises(ActionNotAllowed, match="while the item is"):
        machine.check(thing("draft"), OWNER, "cancel")
