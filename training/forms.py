"""Forms of the training pages. They validate shapes and types; the services decide the
rest (and their DomainErrors are shown on the form). Querysets are built in __init__,
inside the request's tenant scope."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import PartnerType
from prm.models import Member
from prm.roles import PARTNER_ROLES
from training.models import (
    Certification,
    Course,
    CourseStatus,
    LearningPath,
    QuestionKind,
    TrainingRole,
)

MAX_OPTIONS = 6
ROLE_CHOICES = [("", _("Any role"))] + list(TrainingRole.choices)
TYPE_CHOICES = [("", _("Any partner type"))] + list(PartnerType.choices)


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = [
            "code",
            "title",
            "summary",
            "estimated_minutes",
            "quiz_pass_mark",
            "quiz_max_attempts",
            "quiz_cooldown_hours",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}


class CourseCreateForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["code", "title", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}


class LessonForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Headings, lists, links, tables and code blocks. Images are not shown."),
    )
    video_url = forms.CharField(
        label=_("Video link"),
        required=False,
        max_length=500,
        help_text=_("An https link on YouTube or Vimeo; shown as a link."),
    )


class LessonFileForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PNG, JPEG, ZIP, docx, pptx, xlsx or MP4; at most 25 MB."),
    )


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)

    def __init__(self, *args, question=None, **kwargs):
        initial = kwargs.pop("initial", None) or {}
        if question is not None:
            initial = {"text": question.text, "kind": question.kind}
            for i, o in enumerate(question.options.all(), start=1):
                initial[f"option_{i}"], initial[f"correct_{i}"] = o.text, o.is_correct
        super().__init__(*args, initial=initial, **kwargs)
        for i in range(1, MAX_OPTIONS + 1):
            self.fields[f"option_{i}"] = forms.CharField(
                label=_("Answer %(n)d") % {"n": i}, required=False, max_length=500
            )
            self.fields[f"correct_{i}"] = forms.BooleanField(
                label=_("Answer %(n)d is correct") % {"n": i}, required=False
            )

    def options(self) -> list[tuple[str, bool]]:
        data = self.cleaned_data
        return [
            (data.get(f"option_{i}") or "", bool(data.get(f"correct_{i}")))
            for i in range(1, MAX_OPTIONS + 1)
        ]

    def option_rows(self):
        return [(self[f"option_{i}"], self[f"correct_{i}"]) for i in range(1, MAX_OPTIONS + 1)]


class CourseChoiceMixin:
    def _courses(self, *, published_only: bool = False):
        qs = Course.objects.exclude(status=CourseStatus.ARCHIVED).order_by("title")
        if published_only:
            qs = qs.filter(status=CourseStatus.PUBLISHED)
        return qs


class PathForm(CourseChoiceMixin, forms.ModelForm):
    courses = forms.ModelMultipleChoiceField(
        label=_("Courses"),
        queryset=Course.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("People are enrolled in the published ones."),
    )

    class Meta:
        model = LearningPath
        fields = ["name", "description", "training_role", "partner_type", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["courses"].queryset = self._courses()
        self.fields["training_role"].choices = ROLE_CHOICES
        self.fields["partner_type"].choices = TYPE_CHOICES
        if self.instance.pk:
            self.initial["courses"] = list(
                self.instance.path_courses.values_list("course_id", flat=True)
            )


class CertificationForm(CourseChoiceMixin, forms.ModelForm):
    courses = forms.ModelMultipleChoiceField(
        label=_("Courses to pass"),
        queryset=Course.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Certification
        fields = ["code", "name", "description", "validity_months", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["courses"].queryset = self._courses()
        if self.instance.pk:
            self.initial["courses"] = list(
                self.instance.certification_courses.values_list("course_id", flat=True)
            )


class EnrolForm(forms.Form):
    """Admins enrol partner people in a course by hand."""

    member = forms.ModelChoiceField(label=_("Person"), queryset=Member.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = (
            Member.objects.filter(is_active=True, role__in=PARTNER_ROLES)
            .select_related("user", "partner")
            .order_by("partner__name", "user__email")
        )
        self.fields["member"].label_from_instance = lambda m: (
            f"{m.user.display_name} <{m.user.email}> — {m.partner.name}"
        )


class TrainingRoleForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    training_role = forms.ChoiceField(
        label=_("Training role"),
        choices=[("", _("Not set"))] + list(TrainingRole.choices),
        required=False,
    )


class QuizAnswerForm(forms.Form):
    """Built from an attempt's questions (in its shuffled order). Values are option ids;
    nothing says which option is correct."""

    def __init__(self, *args, questions: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            choices = [(str(o["id"]), o["text"]) for o in q["options"]]
            name = f"q{q['id']}"
            if q["kind"] == QuestionKind.MULTIPLE:
                self.fields[name] = forms.MultipleChoiceField(
                    label=q["text"],
                    choices=choices,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                )
            else:
                self.fields[name] = forms.ChoiceField(
                    label=q["text"], choices=choices, required=False, widget=forms.RadioSelect
                )

    def answers(self) -> dict[int, list[int]]:
        out = {}
        for q in self.questions:
            value = self.cleaned_data.get(f"q{q['id']}")
            if not value:
                continue
            values = value if isinstance(value, list) else [value]
            out[q["id"]] = [int(v) for v in values]
        return out
