"""Meals that are published or completed have been published, whatever wrote them: give any
without `published_at` their creation time, so "never published" means `published_at IS NULL`
(cancelled ones without it were cancelled as drafts and stay with their host)."""

from django.db import migrations
from django.db.models import F


def backfill(apps, schema_editor):
    Meal = apps.get_model("meals", "Meal")
    Meal.objects.filter(status__in=("published", "completed"), published_at__isnull=True).update(
        published_at=F("created_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("meals", "0005_signup_guest_name"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
