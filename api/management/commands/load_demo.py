"""Demo data around Saltcoats, Irvine and Kilwinning. Running it twice changes nothing."""

from django.core.management.base import BaseCommand
from django.db import transaction

from meals.demo import load_meals
from venues.demo import load_venues


class Command(BaseCommand):
    help = "Load the demo organisations, venues, bookings and meals (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            venues = load_venues()
            meals = load_meals(venues=venues)
        self.stdout.write(
            self.style.SUCCESS(f"Demo ready: {len(venues)} venues, {len(meals)} meals.")
        )
