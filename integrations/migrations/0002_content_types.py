"""The content types of the moved webhook models follow them: app_label prm -> integrations.

Updating the rows (rather than letting Django create new ones) keeps their ids, so anything
that points at a content type (auth permissions, generic relations) keeps pointing at the same
model. Where an `integrations` row already exists (a database that ran post_migrate in
between), the stale `prm` row is removed instead. Reversible.
"""

from django.db import migrations

MODELS = ("webhookendpoint", "webhookdelivery", "deliveryattempt")


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
    _move(apps, "prm", "integrations")


def backwards(apps, schema_editor):
    _move(apps, "integrations", "prm")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("integrations", "0001_initial"),
        ("prm", "0010_webhooks_moved_out"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
