"""Hooks other meal modules listen to. Receivers only queue work; they never save."""

from django.dispatch import Signal

# Sent inside meal_publish's transaction with meal=<Meal>; receivers queue on commit.
meal_published = Signal()

# Sent by meals.leaving.person_delete with person=<User> before they are anonymised; a face
# forgets what it keeps about them (api/: inbound texts).
person_leaving = Signal()

# Sent by meals.leaving.person_export with person=<User>; each receiver returns a dict of
# extra sections for "download my data" (api/: "texts_from_me").
person_export_parts = Signal()
