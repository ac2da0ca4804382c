"""State machines, declared once per stateful model.

A machine lists the *actions* people (and the system) take on an object: from which statuses,
to which status, who may take it, and any extra condition. Everything else is derived from that
one list, so no view, template, serializer or service re-states a rule:

- services call `MACHINE.check(obj, member, "approve")` before they move the object (a member
  who may never take the action gets `PermissionDenied`, 403; an action that the object's
  current state does not allow gets `ActionNotAllowed`, a domain error), and system moves
  (expiry, completion) are checked with `MACHINE.check_move(old, new)`;
- views pass `MACHINE.allowed(obj, member)` (a frozenset of action names) to templates, which
  show a button when its name is in it (`{% if "approve" in allowed %}`), never compare statuses;
- the API answers the same 403 / 400 through the same `check`.

Keep guards cheap and free of queries where possible: `allowed()` runs for every object a page
shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from prm.errors import DomainError, PermissionDenied

# (obj, member) -> bool. `member` is None for the system.
Guard = Callable[[object, object], bool]


class ActionNotAllowed(DomainError):
    """The member may take this action in general, but not on this object in its current state."""

    def __init__(self, message: str):
        super().__init__(message, code="not_allowed")


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset[str]
    target: str | None = None  # None: the action leaves the status as it is (e.g. add a file)
    who: Guard | None = None  # may this member take it at all (role, ownership)? else 403
    when: Guard | None = None  # a condition beyond the status (e.g. "no open claim")
    system: bool = False  # taken only by the system (tasks, other services); never offered
    confirm: bool = False  # irreversible: the portal asks before it is taken
    reason: bool = False  # records a reason, which the form requires
    refusal: str | None = None  # shown when the status allows it but `when` does not

    def may(self, obj, member) -> bool:
        return not self.system and (self.who is None or bool(self.who(obj, member)))

    def possible(self, obj, status: str) -> bool:
        return status in self.sources and (self.when is None or bool(self.when(obj, None)))


def action(
    name: str,
    label: str,
    sources: Iterable[str],
    target: str | None = None,
    **options,
) -> Action:
    return Action(name=name, label=label, sources=frozenset(sources), target=target, **options)


class StateMachine:
    """The declared actions of one model's status field."""

    def __init__(self, *, actions: Iterable[Action], field: str = "status"):
        self.field = field
        self.actions: dict[str, Action] = {}
        for act in actions:
            if act.name in self.actions:
                raise ValueError(f"action {act.name!r} declared twice")
            self.actions[act.name] = act
        moves: dict[str, set[str]] = {}
        for act in self.actions.values():
            if act.target is not None:
                for source in act.sources:
                    moves.setdefault(source, set()).add(act.target)
        self.moves = moves

    def __getitem__(self, name: str) -> Action:
        return self.actions[name]

    def targets(self, status: str) -> set[str]:
        """Every status reachable from `status` by one declared action."""
        return set(self.moves.get(status, ()))

    def action_for_move(self, old: str, new: str) -> Action | None:
        """The one declared action that moves an object from `old` to `new`, for callers that
        name a target status (an API `status` field, an importer), or None."""
        for act in self.actions.values():
            if act.target == new and old in act.sources:
                return act
        return None

    def status_of(self, obj) -> str:
        return getattr(obj, self.field)

    def allowed(self, obj, member) -> frozenset[str]:
        """Names of the actions `member` may take on `obj` now (what the portal offers)."""
        status = self.status_of(obj)
        return frozenset(
            act.name
            for act in self.actions.values()
            if act.may(obj, member) and act.possible(obj, status)
        )

    def allowed_actions(self, obj, member) -> list[Action]:
        names = self.allowed(obj, member)
        return [act for act in self.actions.values() if act.name in names]

    def check(self, obj, member, name: str) -> Action:
        """Refuse `name` unless `member` may take it on `obj` now. Call it with the row locked.
        `member=None` is the system acting (a rule, a time-out): the guard on who applies to
        people only, the state still has to allow the action."""
        act = self.actions[name]
        if member is not None and not act.may(obj, member):
            raise PermissionDenied()
        status = self.status_of(obj)
        if status in act.sources and act.refusal and not act.possible(obj, status):
            raise ActionNotAllowed(str(act.refusal))
        if not act.possible(obj, status):
            raise ActionNotAllowed(
                _("This cannot be done while the item is %(status)s.")
                % {"status": _label(obj, self.field)}
            )
        return act

    def check_move(self, old: str, new: str) -> None:
        """For services that move an object by status (system moves): refuse undeclared moves."""
        if new not in self.moves.get(old, ()):
            raise ActionNotAllowed(
                _("Cannot move from %(old)s to %(new)s.") % {"old": old, "new": new}
            )


def _label(obj, field: str) -> str:
    display = getattr(obj, f"get_{field}_display", None)
    return str(display()).lower() if callable(display) else str(getattr(obj, field))
