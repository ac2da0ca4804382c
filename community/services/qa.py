"""Community questions and answers: asking, answering, accepting, voting, following, and
staff moderation (hide, show again, lock, unlock, edit with before/after in the audit).

A new answer tells the question's followers (the asker and everyone who answered follow
automatically) in the "community" group, as each one's preference says; a hidden question
tells no partner, and an answer that is hidden is never announced."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from community import selectors, text
from community.models import Answer, Follow, Question, Vote
from community.services.common import required_text, tell
from community.states import QUESTION
from prm import events
from prm.audit import log_action
from prm.errors import DomainError, PermissionDenied
from prm.models import Member
from prm.roles import require

TAG = re.compile(r"^[\w .+#-]{1,40}$")
MAX_TAGS = 5


def _tags(tags) -> list[str]:
    out: list[str] = []
    for raw in tags or []:
        tag = " ".join(str(raw).split())
        if not tag:
            continue
        if not TAG.match(tag):
            raise DomainError(
                _("A product tag has at most 40 letters, digits, spaces or . + # -."), field="tags"
            )
        if tag.lower() not in [t.lower() for t in out]:
            out.append(tag)
    if len(out) > MAX_TAGS:
        raise DomainError(_("At most %(n)s product tags.") % {"n": MAX_TAGS}, field="tags")
    return out


def _body(body: str) -> str:
    cleaned = text.clean(required_text(body, 20000, "body"))
    if not text.plain(cleaned):
        raise DomainError(_("This field is required."), field="body")
    return cleaned


def _q_snapshot(q: Question) -> dict:
    return {
        "title": q.title,
        "body": q.body,
        "tags": q.tags,
        "hidden": q.hidden,
        "locked": q.locked,
        "accepted_answer_id": q.accepted_answer_id,
    }


def _a_snapshot(a: Answer) -> dict:
    return {"question_id": a.question_id, "body": a.body, "hidden": a.hidden}


def _follow(question: Question, member: Member) -> None:
    Follow.objects.get_or_create(tenant_id=question.tenant_id, question=question, member=member)


def _locked(question: Question) -> Question:
    return Question.objects.select_for_update().get(pk=question.pk)


def _recount(question: Question) -> None:
    question.answer_count = Answer.objects.filter(question=question, hidden=False).count()
    if question.accepted_answer_id and question.accepted_answer.hidden:
        question.accepted_answer = None
    question.save(update_fields=["answer_count", "accepted_answer"])


@transaction.atomic
def question_ask(*, by: Member, title: str, body: str, tags=()) -> Question:
    require(by, "community.participate", system=False)
    q = Question.objects.create(
        tenant_id=by.tenant_id,
        title=required_text(title, 200, "title"),
        body=_body(body),
        tags=_tags(tags),
        author=by,
        partner_id=by.partner_id,
    )
    _follow(q, by)
    log_action("question.asked", obj=q, after=_q_snapshot(q))
    return q


@transaction.atomic
def answer_post(*, question: Question, by: Member, body: str) -> Answer:
    q = _locked(question)
    QUESTION.check(q, by, "answer")
    a = Answer.objects.create(tenant_id=q.tenant_id, question=q, body=_body(body), author=by)
    q.answer_count = F("answer_count") + 1
    q.updated_at = timezone.now()
    q.save(update_fields=["answer_count", "updated_at"])
    q.refresh_from_db()
    log_action("answer.posted", obj=a, after=_a_snapshot(a))
    events.emit("question.answered", q, answer_id=a.pk)
    recipients = [m for m in selectors.followers(q) if m.pk != by.pk]
    _follow(q, by)
    tell(
        recipients,
        q,
        "question.answered",
        template="community/emails/answer.txt",
        context={"question": q, "by": by, "summary": text.plain(a.body)[:500]},
        path=q.get_absolute_url() + f"#answer-{a.pk}",
    )
    return a


@transaction.atomic
def answer_accept(*, question: Question, answer: Answer, by: Member) -> Question:
    q = _locked(question)
    QUESTION.check(q, by, "accept")
    if answer.question_id != q.pk or answer.hidden:
        raise DomainError(_("Choose an answer to this question."), field="answer")
    before = _q_snapshot(q)
    q.accepted_answer = answer if q.accepted_answer_id != answer.pk else None
    q.save(update_fields=["accepted_answer"])
    log_action(
        "question.answer_accepted" if q.accepted_answer_id else "question.answer_unaccepted",
        obj=q,
        before=before,
        after=_q_snapshot(q),
    )
    return q


@transaction.atomic
def vote_cast(*, question: Question, by: Member, value: int, answer: Answer | None = None) -> int:
    """Vote a question (or one of its answers) up (+1) or down (-1); the same vote again
    takes it back. One vote per member and post, never on one's own. Returns the new score."""
    q = _locked(question)
    QUESTION.check(q, by, "vote")
    if value not in (1, -1):
        raise DomainError(_("Vote up or down."), field="value")
    post = q
    if answer is not None:
        if answer.question_id != q.pk or (answer.hidden and not selectors.is_staff(by)):
            raise DomainError(_("Choose an answer to this question."), field="answer")
        post = Answer.objects.select_for_update().get(pk=answer.pk)
    if post.author_id == by.pk:
        raise PermissionDenied(_("You cannot vote on your own post."))
    where = {"answer": post} if answer is not None else {"question": q}
    vote = Vote.objects.filter(member=by, **where).first()
    before = vote.value if vote else 0
    if vote and vote.value == value:
        vote.delete()
        after = 0
    elif vote:
        vote.value = value
        vote.save(update_fields=["value"])
        after = value
    else:
        try:
            with transaction.atomic():
                Vote.objects.create(tenant_id=q.tenant_id, member=by, value=value, **where)
        except IntegrityError as exc:  # a second vote raced this one
            raise DomainError(_("Your vote was already counted."), field="value") from exc
        after = value
    post.score = Vote.objects.filter(**where).aggregate(s=Sum("value"))["s"] or 0
    post.save(update_fields=["score"])
    log_action("post.voted", obj=post, before={"vote": before}, after={"vote": after})
    return post.score


@transaction.atomic
def question_follow(*, question: Question, by: Member, follow: bool) -> bool:
    QUESTION.check(question, by, "follow")
    if follow:
        _follow(question, by)
    else:
        Follow.objects.filter(question=question, member=by).delete()
    log_action("question.followed" if follow else "question.unfollowed", obj=question)
    return follow


# --- Moderation (staff) ----------------------------------------------------------------


def _moderate(question: Question, by: Member, name: str, **flags) -> Question:
    q = _locked(question)
    QUESTION.check(q, by, name)
    before = _q_snapshot(q)
    for key, value in flags.items():
        setattr(q, key, value)
    q.save(update_fields=list(flags))
    log_action(f"question.{name}", obj=q, before=before, after=_q_snapshot(q))
    return q


@transaction.atomic
def question_hide(*, question: Question, by: Member) -> Question:
    return _moderate(question, by, "hide", hidden=True)


@transaction.atomic
def question_unhide(*, question: Question, by: Member) -> Question:
    return _moderate(question, by, "unhide", hidden=False)


@transaction.atomic
def question_lock(*, question: Question, by: Member) -> Question:
    return _moderate(question, by, "lock", locked=True)


@transaction.atomic
def question_unlock(*, question: Question, by: Member) -> Question:
    return _moderate(question, by, "unlock", locked=False)


@transaction.atomic
def question_edit(*, question: Question, by: Member, title: str, body: str, tags=()) -> Question:
    q = _locked(question)
    QUESTION.check(q, by, "edit")
    before = _q_snapshot(q)
    q.title = required_text(title, 200, "title")
    q.body = _body(body)
    q.tags = _tags(tags)
    q.updated_at = timezone.now()
    q.save(update_fields=["title", "body", "tags", "updated_at"])
    log_action("question.edited", obj=q, before=before, after=_q_snapshot(q))
    return q


@transaction.atomic
def answer_moderate(*, answer: Answer, by: Member, hidden: bool | None = None, body=None) -> Answer:
    """Staff hide, show again or edit an answer (audited with before/after)."""
    q = _locked(answer.question)
    QUESTION.check(q, by, "edit")
    a = Answer.objects.select_for_update().get(pk=answer.pk)
    before = _a_snapshot(a)
    if body is not None:
        a.body = _body(body)
        a.updated_at = timezone.now()
    if hidden is not None:
        a.hidden = hidden
    a.save(update_fields=["body", "hidden", "updated_at"])
    action = (
        "answer.edited" if body is not None else ("answer.hidden" if hidden else "answer.shown")
    )
    log_action(action, obj=a, before=before, after=_a_snapshot(a))
    _recount(q)
    return a
