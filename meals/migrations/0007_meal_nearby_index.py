"""The nearby search's index: a GiST index over published meals' locations instead of one over
every meal's. Built concurrently (no lock on writes while it builds), then the old one goes."""

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations
from django.db.models import F, Q


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("meals", "0006_backfill_published_at"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="meal",
            index=GistIndex(
                F("location"), condition=Q(status="published"), name="meals_published_location_idx"
            ),
        ),
        migrations.AlterField(
            model_name="meal",
            name="location",
            field=models.PointField(geography=True, spatial_index=False, srid=4326),
        ),
    ]
