"""An index over the nudge radii of people who want invitations, so that their largest is one
index lookup (meals.nudges.neighbours_to_invite bounds its search with it). Built concurrently:
no lock on writes to people while it builds."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("people", "0002_ratelimithit"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="user",
            index=models.Index(
                condition=models.Q(sms_nudges=True),
                fields=["nudge_radius_km"],
                name="people_nudge_radius_idx",
            ),
        ),
    ]
