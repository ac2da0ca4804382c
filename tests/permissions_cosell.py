"""Permission rows for shared opportunities (cosell): every portal URL and API endpoint.

The workspace is world.deal's (a draft of world.partner), opened by its partner admin: the
partner's people are on it, staff see every workspace, and world.sales_rep is added to it as a
vendor participant: a rep works in it (comments, tasks, files) like everyone on it but runs
nothing (no closing, inviting or adding people). A rep who does not sell the deal's customer
may not open a workspace on it (403; the rep who does: tests/cosell/test_cosell_reps.py).
world.other_partner is invited where a row needs a second partner. A comment is
world.partner_user's, so only its author edits or deletes it (the others see it and get 403).
Another tenant's workspace is a 404."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from cosell import services
from prm.roles import Role
from tests.factories import MemberFactory
from tests.permissions import PROGRAM, STAFF, Endpoint, object_rows
from tests.permissions_dealreg_api import _direct_deal, _once

PARTNER_ROLES = {"partner_admin", "partner_user"}
ORGANISERS = STAFF | PARTNER_ROLES
# Everyone on the workspace: the program's roles and the sales rep added to it.
ON_IT = PROGRAM | {"sales_rep"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _opp(w):
    return _once(
        w,
        "cosell_opp",
        lambda w: _with_rep(w, services.opportunity_open(by=w.partner_admin, deal=w.deal)[0]),
    )


def _with_rep(w, opp):
    """The world's sales rep on the workspace, added by an admin."""
    services.team_member_add(opportunity=opp, by=w.admin, member_id=w.sales_rep.pk)
    return opp


def _closed(w):
    def make(w):
        opp = _with_rep(w, services.opportunity_open(by=w.partner_admin, deal=w.draft)[0])
        return services.opportunity_close(opportunity=opp, by=w.admin)

    return _once(w, "cosell_closed", make)


def _invited(w):
    """world.other_partner on the workspace (invited here unless a row invited it already)."""

    def make(w):
        opp = _opp(w)
        found = opp.participants.filter(partner=w.other_partner).first()
        return found or services.participant_add(
            opportunity=opp, by=w.partner_admin, partner_id=w.other_partner.pk, role="si"
        )

    return _once(w, "cosell_invited", make)


def _rep(w):
    return _once(
        w, "cosell_rep", lambda w: MemberFactory(tenant=w.tenant, role=Role.CHANNEL_MANAGER)
    )


def _team_row(w):
    return _once(
        w,
        "cosell_team_row",
        lambda w: services.team_member_add(opportunity=_opp(w), by=w.admin, member_id=_rep(w).pk),
    )


def _comment(w):
    return _once(
        w,
        "cosell_comment",
        lambda w: services.comment_add(opportunity=_opp(w), by=w.partner_user, body="Hello"),
    )


def _task(w, done=False):
    def make(w):
        task = services.task_add(opportunity=_opp(w), by=w.partner_admin, title="Call")
        if done:
            services.task_set_done(task=task, by=w.partner_admin, done=True)
        return task

    return _once(w, f"cosell_task_{done}", make)


def _file(w):
    return _once(
        w,
        "cosell_file",
        lambda w: services.file_add(
            opportunity=_opp(w), by=w.partner_user, upload=SimpleUploadedFile("plan.pdf", PDF)
        ),
    )


def _at(path_of):
    """A row's URL and the same URL on the stranger tenant's objects (which must 404)."""
    return {"url": path_of, "stranger_url": lambda w, s: path_of(s)}


def _o(suffix=""):
    return _at(lambda w: f"/shared/{_opp(w).pk}/{suffix}")


def _api(suffix=""):
    return _at(lambda w: f"/api/v1/shared-opportunities/{_opp(w).pk}/{suffix}")


def _sub(kind, row, tail=""):
    """A workspace's sub-object (`kind`: comments, tasks, partners, people, files) in the
    portal, and `tail` (its action)."""
    return _at(lambda w: f"/shared/{_opp(w).pk}/{kind}/{row(w).pk}/{tail}")


def _api_sub(kind, row):
    return _at(lambda w: f"/api/v1/shared-opportunities/{_opp(w).pk}/{kind}/{row(w).pk}/")


def _done_task(w):
    return _task(w, done=True)


def _body(text):
    return {"data": lambda w: {"body": text}}


REP = {"data": lambda w: {"member": _rep(w).pk}}
SI = {"data": lambda w: {"partner": w.other_partner.pk, "role": "si"}}
TASK = {"data": lambda w: {"title": "Matrix task"}}

ENDPOINTS = [
    Endpoint("cosell-list", lambda w: "/shared/", ON_IT),
    Endpoint(
        "cosell-open-deal",
        lambda w: f"/shared/open/deal/{w.deal.pk}/",
        ORGANISERS,
        method="post",
        stranger_url=lambda w, s: f"/shared/open/deal/{s.deal.pk}/",
    ),
    Endpoint(
        "cosell-open-direct",
        lambda w: f"/shared/open/direct/{_direct_deal(w).pk}/",
        STAFF,
        method="post",
        stranger_url=lambda w, s: f"/shared/open/direct/{_direct_deal(s).pk}/",
    ),
    Endpoint(
        "api-shared-opportunity-list",
        lambda w: (_opp(w), "/api/v1/shared-opportunities/")[1],
        ON_IT,
        api=True,
    ),
    Endpoint(
        "api-shared-opportunity-list",
        lambda w: "/api/v1/shared-opportunities/",
        ORGANISERS,
        method="post",
        data=lambda w: {"deal": w.deal.pk},
        api=True,
    ),
]
# (name, allowed, method, where[, options]): one row a line (tests.permissions.object_rows).
ENDPOINTS += object_rows(
    [
        ("cosell-detail", ON_IT, "get", _o()),
        ("cosell-updates", ON_IT, "get", _o("updates.json")),
        ("cosell-close", STAFF, "get", _o("close/")),
        ("cosell-close", STAFF, "post", _o("close/")),
        ("cosell-reopen", STAFF, "post", _at(lambda w: f"/shared/{_closed(w).pk}/reopen/")),
        ("cosell-partner-add", ORGANISERS, "post", _o("partners/"), SI),
        ("cosell-partner-remove", ORGANISERS, "get", _sub("partners", _invited, "remove/")),
        ("cosell-partner-remove", ORGANISERS, "post", _sub("partners", _invited, "remove/")),
        ("cosell-person-add", ORGANISERS, "post", _o("people/"), REP),
        ("cosell-person-remove", STAFF, "post", _sub("people", _team_row, "remove/")),
        ("cosell-comment-add", ON_IT, "post", _o("comments/"), _body("Matrix comment")),
        ("cosell-comment-edit", {"partner_user"}, "get", _sub("comments", _comment, "edit/")),
        ("cosell-comment-edit", {"partner_user"}, "post", _sub("comments", _comment, "edit/"),
         _body("Edited")),
        ("cosell-comment-delete", {"partner_user"}, "post",
         _sub("comments", _comment, "delete/")),
        ("cosell-task-add", ON_IT, "post", _o("tasks/"), TASK),
        ("cosell-task-done", ON_IT, "post", _sub("tasks", _task, "done/")),
        ("cosell-task-undone", ON_IT, "post", _sub("tasks", _done_task, "undone/")),
        # No file posted: past the gate, the form refuses it (uploads: test_cosell_files.py).
        ("cosell-file-upload", ON_IT, "post", _o("files/"), {"expect": {400}}),
        ("cosell-file-download", ON_IT, "get", _sub("files", _file, "download/")),
        # --- API
        ("api-shared-opportunity-detail", ON_IT, "get", _api()),
        ("api-shared-opportunity-close", STAFF, "post", _api("close/")),
        ("api-shared-opportunity-reopen", STAFF, "post",
         _at(lambda w: f"/api/v1/shared-opportunities/{_closed(w).pk}/reopen/")),
        ("api-shared-opportunity-partners", ON_IT, "get", _api("partners/")),
        ("api-shared-opportunity-partners", ORGANISERS, "post", _api("partners/"),
         {"data": lambda w: {"partner": w.other_partner.pk, "role": "isv"}}),
        ("api-shared-opportunity-partner-remove", ORGANISERS, "delete",
         _api_sub("partners", _invited)),
        ("api-shared-opportunity-people", ON_IT, "get", _api("people/")),
        ("api-shared-opportunity-people", ORGANISERS, "post", _api("people/"), REP),
        ("api-shared-opportunity-person-remove", STAFF, "delete", _api_sub("people", _team_row)),
        ("api-shared-opportunity-comments", ON_IT, "get", _api("comments/")),
        ("api-shared-opportunity-comments", ON_IT, "post", _api("comments/"),
         _body("From the API")),
        ("api-shared-opportunity-comment-detail", {"partner_user"}, "patch",
         _api_sub("comments", _comment), _body("Edited")),
        ("api-shared-opportunity-comment-detail", {"partner_user"}, "delete",
         _api_sub("comments", _comment)),
        ("api-shared-opportunity-tasks", ON_IT, "get", _api("tasks/")),
        ("api-shared-opportunity-tasks", ON_IT, "post", _api("tasks/"),
         {"data": lambda w: {"title": "API task"}}),
        ("api-shared-opportunity-task-detail", ON_IT, "patch", _api_sub("tasks", _task),
         {"data": lambda w: {"done": True}}),
        ("api-shared-opportunity-files", ON_IT, "get", _api("files/")),
        # The matrix sends JSON: past the gate, the 415 of a non-multipart body (uploads:
        # tests/cosell/test_cosell_api_files.py).
        ("api-shared-opportunity-files", ON_IT, "post", _api("files/"), {"expect": {415}}),
        ("api-shared-opportunity-timeline", ON_IT, "get", _api("timeline/")),
    ]
)  # fmt: skip
