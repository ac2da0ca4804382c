"""Portal pages of announcements and the community's questions and answers: lists, detail
pages, and one URL per action (community.states)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from community import selectors
from community.forms import AnnouncementForm, AnswerForm, QuestionForm
from community.models import AnnouncementKind, AnnouncementStatus, Answer
from community.services import announcements as ann_services
from community.services import qa
from community.states import ANNOUNCEMENT, QUESTION
from prm import errors
from prm.confirm import confirmation_for, confirmation_page
from prm.decorators import member_required
from prm.portal import apply_error, int_or_none, page, require_action
from prm.roles import has_perm
from prm.sorting import Sorting
from prm.states import ActionNotAllowed


def run(request, service, *, back: str, done: str, form=None, **kwargs):
    """Call a service: refused moves and domain errors go back with a message (or show on the
    form, returning None to re-render it); success goes back with `done`."""
    try:
        service(by=request.member, **kwargs)
    except errors.PermissionDenied:
        raise PermissionDenied
    except ActionNotAllowed as exc:
        messages.error(request, exc.message)
    except errors.DomainError as exc:
        if form is not None:
            apply_error(form, exc)
            return None
        messages.error(request, exc.message)
    else:
        if done:
            messages.success(request, done)
    return redirect(back)


# --- Announcements ---------------------------------------------------------------------


def _announcement(request, pk: int):
    a = selectors.announcement_detail(request.member, pk)
    if a is None:
        raise Http404
    return a


ANNOUNCEMENT_SORTS = {"title": "title", "published": "published_at", "status": "status"}


@require_safe
@member_required("community.view")
def announcement_list(request):
    member = request.member
    qs = selectors.with_read_state(selectors.announcements_visible_to(member), member)
    kind = request.GET.get("kind", "")
    if kind in AnnouncementKind.values:
        qs = qs.filter(kind=kind)
    sorting = Sorting.from_request(request, ANNOUNCEMENT_SORTS, default="-published")
    return render(
        request,
        "community/announcement_list.html",
        {
            "page": page(request, sorting.apply(qs.order_by("-created_at"))),
            "sorting": sorting,
            "kind": kind,
            "kinds": AnnouncementKind.choices,
            "staff": selectors.is_staff(member),
            "can_create": has_perm(member.role, "community.announce"),
        },
    )


def _announcement_input(form) -> dict:
    return dict(form.cleaned_data)


@require_http_methods(["GET", "POST"])
@member_required("community.announce")
def announcement_new(request):
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            a = ann_services.announcement_create(by=request.member, **_announcement_input(form))
        except errors.DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Announcement drafted. Publish it when it is ready."))
            return redirect(a.get_absolute_url())
    return render(request, "community/announcement_form.html", {"form": form, "a": None})


@require_safe
@member_required("community.view")
def announcement_detail(request, pk: int):
    a = _announcement(request, pk)
    if request.member.partner_id is not None:
        ann_services.announcement_mark_read(announcement=a, member=request.member)
    return render(
        request,
        "community/announcement_detail.html",
        {
            "a": a,
            "allowed": ANNOUNCEMENT.allowed(a, request.member),
            "staff": selectors.is_staff(request.member),
            "audience": selectors.audience_members(a) if selectors.is_staff(request.member)
            and a.status == AnnouncementStatus.PUBLISHED else None,
        },
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
@member_required("community.announce")
def announcement_edit(request, pk: int):
    a = _announcement(request, pk)
    require_action(ANNOUNCEMENT, a, request.member, "edit")
    initial = {
        f: getattr(a, f)
        for f in ("title", "body", "kind", "roadmap_status", "quarter", "publish_at",
                  "expires_at", "partner_types", "tier_ids", "languages")
    }  # fmt: skip
    form = AnnouncementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        resp = run(
            request,
            ann_services.announcement_update,
            announcement=a,
            back=a.get_absolute_url(),
            done=_("Announcement saved."),
            form=form,
            **_announcement_input(form),
        )
        if resp:
            return resp
    return render(request, "community/announcement_form.html", {"form": form, "a": a})


def _announcement_move(request, pk: int, name: str, service, done: str):
    a = _announcement(request, pk)
    require_action(ANNOUNCEMENT, a, request.member, name)
    return run(request, service, announcement=a, back=a.get_absolute_url(), done=done)


@require_POST
@member_required("community.announce")
def announcement_publish(request, pk: int):
    a = _announcement(request, pk)
    require_action(ANNOUNCEMENT, a, request.member, "publish")
    try:
        a = ann_services.announcement_publish(announcement=a, by=request.member)
    except errors.DomainError as exc:
        messages.error(request, exc.message)
    else:
        if a.status == AnnouncementStatus.SCHEDULED:
            messages.success(request, _("Announcement scheduled."))
        else:
            messages.success(request, _("Announcement published."))
    return redirect(a.get_absolute_url())


@require_POST
@member_required("community.announce")
def announcement_unschedule(request, pk: int):
    return _announcement_move(
        request, pk, "unschedule", ann_services.announcement_unschedule, _("Back to draft.")
    )


@require_http_methods(["GET", "POST"])
@member_required("community.announce")
def announcement_withdraw(request, pk: int):
    a = _announcement(request, pk)
    require_action(ANNOUNCEMENT, a, request.member, "withdraw")
    c = confirmation_for("announcement-withdraw", a)
    if request.method != "POST":
        return confirmation_page(request, c)
    form = c.form(request.POST)
    if not form.is_valid():
        return confirmation_page(request, c, form)
    return run(
        request,
        ann_services.announcement_withdraw,
        announcement=a,
        back=a.get_absolute_url(),
        done=_("Announcement withdrawn."),
    )


# --- Questions -------------------------------------------------------------------------


MODERATION = [
    ("hide", "question-hide", gettext_lazy("Hide from partners")),
    ("unhide", "question-unhide", gettext_lazy("Show again")),
    ("lock", "question-lock", gettext_lazy("Lock")),
    ("unlock", "question-unlock", gettext_lazy("Unlock")),
]

QUESTION_SORTS = {"newest": "created_at", "votes": "score", "answers": "answer_count"}


@require_safe
@member_required("community.view")
def question_list(request):
    member = request.member
    term = request.GET.get("q", "")[:100]
    tag = request.GET.get("tag", "")[:40]
    unanswered = request.GET.get("unanswered") == "1"
    qs = selectors.search_questions(member, term=term, tag=tag, unanswered=unanswered)
    sorting = Sorting.from_request(request, QUESTION_SORTS, default="-newest")
    return render(
        request,
        "community/question_list.html",
        {
            "page": page(request, sorting.apply(qs.order_by("-created_at", "-id"))),
            "sorting": sorting,
            "term": term,
            "tag": tag,
            "unanswered": unanswered,
            "tags": selectors.all_tags(),
            "can_ask": has_perm(member.role, "community.participate"),
        },
    )


@require_http_methods(["GET", "POST"])
@member_required("community.participate")
def question_new(request):
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            q = qa.question_ask(by=request.member, **form.cleaned_data)
        except errors.DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Question posted. You will be told of new answers."))
            return redirect(q.get_absolute_url())
    return render(request, "community/question_form.html", {"form": form, "q": None})


def _question(request, pk: int):
    q = selectors.question_detail(request.member, pk)
    if q is None:
        raise Http404
    return q


def _answer(request, q, answer_pk) -> Answer:
    a = selectors.answers_visible_to(request.member, q).filter(pk=answer_pk).first()
    if a is None:
        raise Http404
    return a


def _question_page(request, q, *, answer_form=None):
    member = request.member
    allowed = QUESTION.allowed(q, member)
    votes = selectors.my_votes(member, q)
    answers = list(selectors.answers_visible_to(member, q).order_by("-score", "created_at", "id"))
    q.my_vote = votes.get("q", 0)
    for a in answers:
        a.my_vote = votes.get(f"a{a.pk}", 0)
    return render(
        request,
        "community/question_detail.html",
        {
            "q": q,
            "allowed": allowed,
            "answers": answers,
            "answer_form": answer_form or (AnswerForm() if "answer" in allowed else None),
            "moderation": MODERATION,
            "following": selectors.follows(member, q),
            "staff": selectors.is_staff(member),
        },
    )


@require_safe
@member_required("community.view")
def question_detail(request, pk: int):
    return _question_page(request, _question(request, pk))


@require_POST
@member_required("community.participate")
def question_answer(request, pk: int):
    q = _question(request, pk)
    require_action(QUESTION, q, request.member, "answer")
    form = AnswerForm(request.POST)
    if form.is_valid():
        resp = run(
            request,
            qa.answer_post,
            question=q,
            back=q.get_absolute_url(),
            done=_("Answer posted."),
            form=form,
            **form.cleaned_data,
        )
        if resp:
            return resp
    return _question_page(request, q, answer_form=form)


@require_POST
@member_required("community.participate")
def question_accept(request, pk: int, answer_pk: int):
    q = _question(request, pk)
    require_action(QUESTION, q, request.member, "accept")
    a = _answer(request, q, answer_pk)
    return run(request, qa.answer_accept, question=q, answer=a, back=q.get_absolute_url(), done="")


@require_POST
@member_required("community.participate")
def question_vote(request, pk: int):
    q = _question(request, pk)
    require_action(QUESTION, q, request.member, "vote")
    answer_pk = int_or_none(request.POST.get("answer"))
    a = _answer(request, q, answer_pk) if answer_pk else None
    value = int_or_none(request.POST.get("value"))
    back = q.get_absolute_url() + (f"#answer-{a.pk}" if a else "")
    return run(request, qa.vote_cast, question=q, answer=a, value=value, back=back, done="")


@require_POST
@member_required("community.participate")
def question_follow(request, pk: int):
    q = _question(request, pk)
    require_action(QUESTION, q, request.member, "follow")
    follow = request.POST.get("follow") == "1"
    done = _("You follow this question.") if follow else _("You no longer follow this question.")
    return run(
        request, qa.question_follow, question=q, follow=follow, back=q.get_absolute_url(), done=done
    )


def _moderation(name: str, service, done: str):
    @require_POST
    @member_required("community.moderate")
    def view(request, pk: int):
        q = _question(request, pk)
        require_action(QUESTION, q, request.member, name)
        return run(request, service, question=q, back=q.get_absolute_url(), done=done)

    view.__name__ = f"question_{name}"
    return view


question_hide = _moderation(
    "hide", qa.question_hide, gettext_lazy("Question hidden from partners.")
)
question_unhide = _moderation("unhide", qa.question_unhide, gettext_lazy("Question shown again."))
question_lock = _moderation(
    "lock", qa.question_lock, gettext_lazy("Question locked: no new answers.")
)
question_unlock = _moderation("unlock", qa.question_unlock, gettext_lazy("Question unlocked."))


@require_http_methods(["GET", "POST"])
@member_required("community.moderate")
def question_edit(request, pk: int):
    q = _question(request, pk)
    require_action(QUESTION, q, request.member, "edit")
    initial = {"title": q.title, "body": q.body, "tags": ", ".join(q.tags)}
    form = QuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        resp = run(
            request,
            qa.question_edit,
            question=q,
            back=q.get_absolute_url(),
            done=_("Question saved."),
            form=form,
            **form.cleaned_data,
        )
        if resp:
            return resp
    return render(request, "community/question_form.html", {"form": form, "q": q})


def _answer_moderation(hidden: bool, done: str):
    @require_POST
    @member_required("community.moderate")
    def view(request, pk: int, answer_pk: int):
        q = _question(request, pk)
        require_action(QUESTION, q, request.member, "edit")
        a = _answer(request, q, answer_pk)
        return run(
            request, qa.answer_moderate, answer=a, hidden=hidden, back=q.get_absolute_url(),
            done=done,
        )  # fmt: skip

    view.__name__ = "answer_hide" if hidden else "answer_unhide"
    return view


answer_hide = _answer_moderation(True, gettext_lazy("Answer hidden from partners."))
answer_unhide = _answer_moderation(False, gettext_lazy("Answer shown again."))


@require_http_methods(["GET", "POST"])
@member_required("community.moderate")
def answer_edit(request, pk: int, answer_pk: int):
    q = _question(request, pk)
    require_action(QUESTION, q, request.member, "edit")
    a = _answer(request, q, answer_pk)
    form = AnswerForm(request.POST or None, initial={"body": a.body})
    if request.method == "POST" and form.is_valid():
        resp = run(
            request,
            qa.answer_moderate,
            answer=a,
            body=form.cleaned_data["body"],
            back=q.get_absolute_url(),
            done=_("Answer saved."),
            form=form,
        )
        if resp:
            return resp
    return render(request, "community/answer_form.html", {"form": form, "q": q, "answer": a})
