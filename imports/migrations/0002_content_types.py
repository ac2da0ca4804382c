"""The content type of the moved import job follows it: app_label prm -> imports.

Updating the row (rather than letting Django create a new one) keeps its id, so anything that
points at the content type (auth permissions, generic relations) keeps pointing at the same
model. Where an `imports` row already exists (a database that ran post_migrate in between),
the stale `prm` row is removed instead. Reversible.
"""

from django.db import migrations

MODELS = ("importjob",)


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
    _move(apps, "prm", "imports")


def backwards(apps, schema_editor):
    _move(apps, "imports", "prm")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("imports", "0001_initial"),
        ("prm", "0008_importjob_moved_out"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
