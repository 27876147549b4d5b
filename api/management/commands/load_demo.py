"""Demo data around Saltcoats, Irvine and Kilwinning. Running it twice changes nothing."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from meals.demo import load_meals
from meals.demo_club import load_club
from venues.demo import load_venues


class Command(BaseCommand):
    help = "Load the demo organisations, venues, bookings and meals (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Load it even with DEBUG off (a demo server; never production).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["demo"]:
            raise CommandError(
                "Refused: the demo data includes a staff login with a known password. "
                "It loads only with DEBUG=1, or with --demo on a server that is only a demo."
            )
        with transaction.atomic():
            venues = load_venues()
            meals = load_meals(venues=venues)
            club = load_club(venues=venues)
        dates = club["saltcoats_lunch_club"].occurrences.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: {len(venues)} venues, {len(meals)} meals, a weekly lunch club "
                f"({dates} dates written), a checked driver and "
                f"{'an open lift request' if 'lift' in club else 'no lift request'}."
            )
        )
