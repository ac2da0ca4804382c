"""Portal pages of shared opportunities: the list of a person's workspaces, one workspace
(participants, comments, tasks, files, timeline), and one POST URL per action.

Every view loads the workspace through cosell.selectors.opportunities_visible_to (another
partner's workspace, or another tenant's, is a 404), answers 403 when the member may not take
the action (cosell/states.py), validates its form and calls one service. A refused form shows
the workspace again with the errors at the form."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cosell import selectors, services
from cosell.activity import sentence
from cosell.models import PartyRole
from cosell.states import COMMENT, OPPORTUNITY, TASK
from dealreg.selectors import deals_visible_to, direct_deals_visible_to
from prm import portal
from prm.confirm import confirmation_for, confirmed
from prm.decorators import member_required
from prm.errors import DomainError
from prm.portal import apply_error, require_action


class CommentForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=services.MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Mention someone on the workspace with @ and their e-mail."),
    )
    mentions = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Mention"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentions"].choices = [(m.pk, _person(m)) for m in people]


class EditCommentForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=services.MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class TaskForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Task"), max_length=200)
    owner = forms.TypedChoiceField(
        label=gettext_lazy("Owner"), coerce=int, required=False, empty_value=None
    )
    due_on = forms.DateField(
        label=gettext_lazy("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("Nobody yet"))] + [
            (m.pk, _person(m)) for m in people
        ]


class PartnerForm(forms.Form):
    partner = forms.TypedChoiceField(label=gettext_lazy("Partner"), coerce=int)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=PartyRole.choices)

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", "—")] + [(p.pk, p.name) for p in partners]


class PersonForm(forms.Form):
    member = forms.TypedChoiceField(label=gettext_lazy("Person"), coerce=int)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "—")] + [(m.pk, _person(m)) for m in people]


class FileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"), help_text=gettext_lazy("PDF, PNG or JPEG, at most 10 MB.")
    )


def _person(member) -> str:
    user = member.user
    name = (user.full_name or "").strip() or user.email
    company = member.partner.name if member.partner_id else _("vendor")
    return f"{name} ({company})"


def _load(request, pk: int):
    return get_object_or_404(selectors.opportunities_visible_to(request.member), pk=pk)


# --- Pages ------------------------------------------------------------------------------


@member_required("cosell.use")
def opportunity_list(request):
    page = portal.page(request, selectors.my_opportunities(request.member))
    return render(request, "cosell/list.html", {"page": page})


def _page(request, opp, status: int = 200, **forms_):
    member = request.member
    allowed = OPPORTUNITY.allowed(opp, member)
    people = list(selectors.people_of(opp))
    comments = list(selectors.comments_of(opp))
    for c in comments:
        c.opportunity = opp  # the machine's guards read its status: no query per comment
        c.allowed = COMMENT.allowed(c, member)
    tasks = list(selectors.tasks_of(opp))
    for t in tasks:
        t.opportunity = opp
        t.allowed = TASK.allowed(t, member)
    participants = list(selectors.participants_of(opp))
    timeline = list(selectors.timeline_of(opp)[:100])
    for row in timeline:
        row.text = sentence(row.kind, row.params)
    ctx = {
        "opp": opp,
        "allowed": allowed,
        "participants": participants,
        "team": list(selectors.team_of(opp)),
        "people": people,
        "comments": comments,
        "tasks": tasks,
        "files": list(selectors.files_of(opp)),
        "timeline": timeline,
        "cursor": selectors.last_activity_id(opp),
        "comment_form": forms_.get("comment_form") or CommentForm(people=people),
        "task_form": forms_.get("task_form") or TaskForm(people=people),
        "file_form": forms_.get("file_form") or FileForm(),
    }
    if "add_partner" in allowed:
        ctx["partner_form"] = forms_.get("partner_form") or PartnerForm(
            partners=services.invitable_partners(opp)
        )
    if "add_person" in allowed:
        ctx["person_form"] = forms_.get("person_form") or PersonForm(
            people=services.addable_people(opp)
        )
    return render(request, "cosell/detail.html", ctx, status=status)


@member_required("cosell.use")
@require_GET
def opportunity_detail(request, pk: int):
    return _page(request, _load(request, pk))


@member_required("cosell.use")
@require_GET
def opportunity_updates(request, pk: int):
    """Polled by the workspace page (static/js/cosell-live.js): the newest timeline row, so
    the page fetches itself again only when something happened."""
    opp = _load(request, pk)
    return JsonResponse({"cursor": selectors.last_activity_id(opp), "status": opp.status})


@member_required("cosell.use")
@require_POST
def open_for_deal(request, deal_pk: int):
    deal = get_object_or_404(deals_visible_to(request.member), pk=deal_pk)
    if request.member.partner_id is None and not services.may_open_as_vendor(
        request.member, deal=deal
    ):
        raise PermissionDenied  # a sales rep opens the workspaces of the deals they sell
    try:
        opp, _created = services.opportunity_open(by=request.member, deal=deal)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("deal-detail", pk=deal.pk)
    return redirect("cosell-detail", pk=opp.pk)


@member_required("cosell.use")
@require_POST
def open_for_direct_deal(request, deal_pk: int):
    if request.member.partner_id is not None:
        raise PermissionDenied  # a direct deal's workspace is opened by the vendor's people
    deal = get_object_or_404(direct_deals_visible_to(request.member), pk=deal_pk)
    if not services.may_open_as_vendor(request.member, direct_deal=deal):
        raise PermissionDenied
    opp, _created = services.opportunity_open(by=request.member, direct_deal=deal)
    return redirect("cosell-detail", pk=opp.pk)


def _act(request, opp, name: str, run, form_key: str = "", form=None, anchor: str = ""):
    """Run one service for an action the member may take (403 otherwise); a refusal goes to
    the form (the page again) or to a message."""
    require_action(OPPORTUNITY, opp, request.member, name)
    if form is not None and not form.is_valid():
        return _page(request, opp, status=400, **{form_key: form})
    try:
        done = run()
    except DomainError as exc:
        if form is not None:
            apply_error(form, exc)
            return _page(request, opp, status=400, **{form_key: form})
        messages.error(request, exc.message)
    else:
        if done:
            messages.success(request, done)
    url = redirect("cosell-detail", pk=opp.pk).url
    return redirect(url + (f"#{anchor}" if anchor else ""))


@member_required("cosell.use")
@require_POST
def comment_add(request, pk: int):
    opp = _load(request, pk)
    form = CommentForm(request.POST, people=selectors.people_of(opp))

    def run():
        services.comment_add(
            opportunity=opp,
            by=request.member,
            body=form.cleaned_data["body"],
            mention_ids=form.cleaned_data["mentions"],
        )

    return _act(request, opp, "comment", run, "comment_form", form, anchor="comments")


def _comment(request, pk: int, comment_pk: int):
    opp = _load(request, pk)
    comment = get_object_or_404(opp.comments.select_related("opportunity"), pk=comment_pk)
    return opp, comment


@member_required("cosell.use")
@require_http_methods(["GET", "POST"])
def comment_edit(request, pk: int, comment_pk: int):
    opp, comment = _comment(request, pk, comment_pk)
    require_action(COMMENT, comment, request.member, "edit")
    form = EditCommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(
                comment=comment, by=request.member, body=form.cleaned_data["body"]
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return redirect(redirect("cosell-detail", pk=opp.pk).url + f"#comment-{comment.pk}")
    return render(
        request,
        "cosell/comment_edit.html",
        {"opp": opp, "comment": comment, "form": form},
        status=400 if form.is_bound else 200,
    )


@member_required("cosell.use")
@require_http_methods(["GET", "POST"])
def comment_delete(request, pk: int, comment_pk: int):
    opp, comment = _comment(request, pk, comment_pk)
    require_action(COMMENT, comment, request.member, "delete")
    _form, page = confirmed(request, confirmation_for("cosell-comment-delete", comment))
    if page is not None:
        return page
    try:
        services.comment_delete(comment=comment, by=request.member)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Comment deleted."))
    return redirect("cosell-detail", pk=opp.pk)


@member_required("cosell.use")
@require_POST
def task_add(request, pk: int):
    opp = _load(request, pk)
    form = TaskForm(request.POST, people=selectors.people_of(opp))

    def run():
        services.task_add(
            opportunity=opp,
            by=request.member,
            title=form.cleaned_data["title"],
            owner_id=form.cleaned_data["owner"],
            due_on=form.cleaned_data["due_on"],
        )

    return _act(request, opp, "add_task", run, "task_form", form, anchor="tasks")


def _task_toggle(request, pk: int, task_pk: int, done: bool):
    opp = _load(request, pk)
    task = get_object_or_404(opp.tasks.select_related("opportunity"), pk=task_pk)
    require_action(TASK, task, request.member, "done" if done else "undone")
    try:
        services.task_set_done(task=task, by=request.member, done=done)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(redirect("cosell-detail", pk=opp.pk).url + f"#task-{task.pk}")


@member_required("cosell.use")
@require_POST
def task_done(request, pk: int, task_pk: int):
    return _task_toggle(request, pk, task_pk, True)


@member_required("cosell.use")
@require_POST
def task_undone(request, pk: int, task_pk: int):
    return _task_toggle(request, pk, task_pk, False)


@member_required("cosell.use")
@require_POST
def file_upload(request, pk: int):
    opp = _load(request, pk)
    form = FileForm(request.POST, request.FILES)

    def run():
        services.file_add(opportunity=opp, by=request.member, upload=form.cleaned_data["file"])
        return _("File added.")

    return _act(request, opp, "upload", run, "file_form", form, anchor="files")


@member_required("cosell.use")
@require_GET
def file_download(request, pk: int, file_pk: int):
    opp = _load(request, pk)
    row = get_object_or_404(opp.files, pk=file_pk)
    return portal.file_attachment(
        row.file, filename=row.original_name, content_type=row.content_type
    )


@member_required("cosell.use")
@require_POST
def partner_add(request, pk: int):
    opp = _load(request, pk)
    form = PartnerForm(request.POST, partners=services.invitable_partners(opp))

    def run():
        part = services.participant_add(
            opportunity=opp,
            by=request.member,
            partner_id=form.cleaned_data["partner"],
            role=form.cleaned_data["role"],
        )
        return _("%(p)s invited.") % {"p": part.partner.name}

    return _act(request, opp, "add_partner", run, "partner_form", form, anchor="participants")


@member_required("cosell.use")
@require_http_methods(["GET", "POST"])
def partner_remove(request, pk: int, participant_pk: int):
    opp = _load(request, pk)
    part = get_object_or_404(opp.participants.select_related("partner"), pk=participant_pk)
    require_action(OPPORTUNITY, opp, request.member, "remove_partner")
    _form, page = confirmed(request, confirmation_for("cosell-partner-remove", part))
    if page is not None:
        return page
    return _act(
        request,
        opp,
        "remove_partner",
        lambda: (
            services.participant_remove(opportunity=opp, by=request.member, participant=part)
            or _("Partner removed.")
        ),
    )


@member_required("cosell.use")
@require_POST
def person_add(request, pk: int):
    opp = _load(request, pk)
    form = PersonForm(request.POST, people=services.addable_people(opp))

    def run():
        services.team_member_add(
            opportunity=opp, by=request.member, member_id=form.cleaned_data["member"]
        )
        return _("Person added.")

    return _act(request, opp, "add_person", run, "person_form", form, anchor="participants")


@member_required("cosell.use")
@require_POST
def person_remove(request, pk: int, team_pk: int):
    opp = _load(request, pk)
    row = get_object_or_404(opp.team.select_related("member__user"), pk=team_pk)
    return _act(
        request,
        opp,
        "remove_person",
        lambda: (
            services.team_member_remove(opportunity=opp, by=request.member, team_member=row)
            or _("Person removed.")
        ),
    )


@member_required("cosell.use")
@require_http_methods(["GET", "POST"])
def opportunity_close(request, pk: int):
    opp = _load(request, pk)
    require_action(OPPORTUNITY, opp, request.member, "close")
    _form, page = confirmed(request, confirmation_for("cosell-close", opp))
    if page is not None:
        return page
    return _act(
        request,
        opp,
        "close",
        lambda: (
            services.opportunity_close(opportunity=opp, by=request.member)
            and _("Workspace closed.")
        ),
    )


@member_required("cosell.use")
@require_POST
def opportunity_reopen(request, pk: int):
    opp = _load(request, pk)
    return _act(
        request,
        opp,
        "reopen",
        lambda: (
            services.opportunity_reopen(opportunity=opp, by=request.member)
            and _("Workspace reopened.")
        ),
    )
