"""Hooks other meal modules listen to. Receivers only queue work; they never save."""

from django.dispatch import Signal

# Sent inside meal_publish's transaction with meal=<Meal>; receivers queue on commit.
meal_published = Signal()
