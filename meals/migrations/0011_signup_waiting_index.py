"""The waiting parties of a meal in queue order, for the nearby list (a count for every meal of
a page) and a sign-up's place in the queue. Partial (waiting rows only), so it stays small;
built concurrently, so sign-ups are not held up while it builds."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("meals", "0010_series"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="signup",
            index=models.Index(
                fields=["meal", "queued_at", "id"],
                condition=Q(status="waitlisted"),
                name="meals_signup_waiting_idx",
            ),
        ),
    ]
