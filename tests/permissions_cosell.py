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
from tests.permissions import PROGRAM, STAFF, Endpoint
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


ENDPOINTS = [
    # Portal
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
    Endpoint("cosell-detail", allowed=ON_IT, **_o()),
    Endpoint("cosell-updates", allowed=ON_IT, **_o("updates.json")),
    Endpoint("cosell-close", allowed=STAFF, **_o("close/")),
    Endpoint("cosell-close", allowed=STAFF, method="post", **_o("close/")),
    Endpoint(
        "cosell-reopen",
        allowed=STAFF,
        method="post",
        **_at(lambda w: f"/shared/{_closed(w).pk}/reopen/"),
    ),
    Endpoint(
        "cosell-partner-add",
        allowed=ORGANISERS,
        method="post",
        data=lambda w: {"partner": w.other_partner.pk, "role": "si"},
        **_o("partners/"),
    ),
    Endpoint(
        "cosell-partner-remove",
        allowed=ORGANISERS,
        **_at(lambda w: f"/shared/{_opp(w).pk}/partners/{_invited(w).pk}/remove/"),
    ),
    Endpoint(
        "cosell-partner-remove",
        allowed=ORGANISERS,
        method="post",
        **_at(lambda w: f"/shared/{_opp(w).pk}/partners/{_invited(w).pk}/remove/"),
    ),
    Endpoint(
        "cosell-person-add",
        allowed=ORGANISERS,
        method="post",
        data=lambda w: {"member": _rep(w).pk},
        **_o("people/"),
    ),
    Endpoint(
        "cosell-person-remove",
        allowed=STAFF,
        method="post",
        **_at(lambda w: f"/shared/{_opp(w).pk}/people/{_team_row(w).pk}/remove/"),
    ),
    Endpoint(
        "cosell-comment-add",
        allowed=ON_IT,
        method="post",
        data=lambda w: {"body": "Matrix comment"},
        **_o("comments/"),
    ),
    Endpoint(
        "cosell-comment-edit",
        allowed={"partner_user"},
        **_at(lambda w: f"/shared/{_opp(w).pk}/comments/{_comment(w).pk}/edit/"),
    ),
    Endpoint(
        "cosell-comment-edit",
        allowed={"partner_user"},
        method="post",
        data=lambda w: {"body": "Edited"},
        **_at(lambda w: f"/shared/{_opp(w).pk}/comments/{_comment(w).pk}/edit/"),
    ),
    Endpoint(
        "cosell-comment-delete",
        allowed={"partner_user"},
        method="post",
        **_at(lambda w: f"/shared/{_opp(w).pk}/comments/{_comment(w).pk}/delete/"),
    ),
    Endpoint(
        "cosell-task-add",
        allowed=ON_IT,
        method="post",
        data=lambda w: {"title": "Matrix task"},
        **_o("tasks/"),
    ),
    Endpoint(
        "cosell-task-done",
        allowed=ON_IT,
        method="post",
        **_at(lambda w: f"/shared/{_opp(w).pk}/tasks/{_task(w).pk}/done/"),
    ),
    Endpoint(
        "cosell-task-undone",
        allowed=ON_IT,
        method="post",
        **_at(lambda w: f"/shared/{_opp(w).pk}/tasks/{_task(w, done=True).pk}/undone/"),
    ),
    # No file posted: past the gate, the form refuses it (uploads: test_cosell_files.py).
    Endpoint("cosell-file-upload", allowed=ON_IT, method="post", expect={400}, **_o("files/")),
    Endpoint(
        "cosell-file-download",
        allowed=ON_IT,
        **_at(lambda w: f"/shared/{_opp(w).pk}/files/{_file(w).pk}/download/"),
    ),
    # API
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
    Endpoint("api-shared-opportunity-detail", allowed=ON_IT, api=True, **_api()),
    Endpoint(
        "api-shared-opportunity-close", allowed=STAFF, method="post", api=True, **_api("close/")
    ),
    Endpoint(
        "api-shared-opportunity-reopen",
        allowed=STAFF,
        method="post",
        api=True,
        **_at(lambda w: f"/api/v1/shared-opportunities/{_closed(w).pk}/reopen/"),
    ),
    Endpoint("api-shared-opportunity-partners", allowed=ON_IT, api=True, **_api("partners/")),
    Endpoint(
        "api-shared-opportunity-partners",
        allowed=ORGANISERS,
        method="post",
        data=lambda w: {"partner": w.other_partner.pk, "role": "isv"},
        api=True,
        **_api("partners/"),
    ),
    Endpoint(
        "api-shared-opportunity-partner-remove",
        allowed=ORGANISERS,
        method="delete",
        api=True,
        **_at(lambda w: f"/api/v1/shared-opportunities/{_opp(w).pk}/partners/{_invited(w).pk}/"),
    ),
    Endpoint("api-shared-opportunity-people", allowed=ON_IT, api=True, **_api("people/")),
    Endpoint(
        "api-shared-opportunity-people",
        allowed=ORGANISERS,
        method="post",
        data=lambda w: {"member": _rep(w).pk},
        api=True,
        **_api("people/"),
    ),
    Endpoint(
        "api-shared-opportunity-person-remove",
        allowed=STAFF,
        method="delete",
        api=True,
        **_at(lambda w: f"/api/v1/shared-opportunities/{_opp(w).pk}/people/{_team_row(w).pk}/"),
    ),
    Endpoint("api-shared-opportunity-comments", allowed=ON_IT, api=True, **_api("comments/")),
    Endpoint(
        "api-shared-opportunity-comments",
        allowed=ON_IT,
        method="post",
        data=lambda w: {"body": "From the API"},
        api=True,
        **_api("comments/"),
    ),
    Endpoint(
        "api-shared-opportunity-comment-detail",
        allowed={"partner_user"},
        method="patch",
        data=lambda w: {"body": "Edited"},
        api=True,
        **_at(lambda w: f"/api/v1/shared-opportunities/{_opp(w).pk}/comments/{_comment(w).pk}/"),
    ),
    Endpoint(
        "api-shared-opportunity-comment-detail",
        allowed={"partner_user"},
        method="delete",
        api=True,
        **_at(lambda w: f"/api/v1/shared-opportunities/{_opp(w).pk}/comments/{_comment(w).pk}/"),
    ),
    Endpoint("api-shared-opportunity-tasks", allowed=ON_IT, api=True, **_api("tasks/")),
    Endpoint(
        "api-shared-opportunity-tasks",
        allowed=ON_IT,
        method="post",
        data=lambda w: {"title": "API task"},
        api=True,
        **_api("tasks/"),
    ),
    Endpoint(
        "api-shared-opportunity-task-detail",
        allowed=ON_IT,
        method="patch",
        data=lambda w: {"done": True},
        api=True,
        **_at(lambda w: f"/api/v1/shared-opportunities/{_opp(w).pk}/tasks/{_task(w).pk}/"),
    ),
    Endpoint("api-shared-opportunity-files", allowed=ON_IT, api=True, **_api("files/")),
    # The matrix sends JSON: past the gate, the 415 of a non-multipart body (uploads:
    # tests/cosell/test_cosell_api_files.py).
    Endpoint(
        "api-shared-opportunity-files",
        allowed=ON_IT,
        method="post",
        api=True,
        expect={415},
        **_api("files/"),
    ),
    Endpoint("api-shared-opportunity-timeline", allowed=ON_IT, api=True, **_api("timeline/")),
]
