"""The content types of the moved models follow them: app_label onboarding -> training.

Updating the rows (rather than letting Django create new ones) keeps their ids, so anything
that points at a content type (auth permissions, generic relations) keeps pointing at the
same model. Where a `training` row already exists (a database that ran post_migrate in
between), the stale `onboarding` row is removed instead. Reversible.
"""

from django.db import migrations

MODELS = (
    "certificate",
    "certificatenotice",
    "certification",
    "certificationcourse",
    "course",
    "enrollment",
    "learningpath",
    "lesson",
    "lessonprogress",
    "option",
    "pathcourse",
    "question",
    "quizattempt",
    "trainingprofile",
)


def _move(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        old = ContentType.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue
        if ContentType.objects.filter(app_label=target, model=model).exists():
            old.delete()
        else:
            old.app_label = target
            old.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    _move(apps, "onboarding", "training")


def backwards(apps, schema_editor):
    _move(apps, "training", "onboarding")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("training", "0001_initial"),
        ("onboarding", "0004_training_moved_out"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
