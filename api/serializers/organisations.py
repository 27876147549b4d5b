"""Shapes of organisations and their reports on the wire. Parsing only; rules live in meals/."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from meals.reports import FEEDBACK_CELLS, MIN_CELL_PEOPLE, PEOPLE_CELLS
from venues.models import Membership, Organisation, Venue


class OrganisationVenueOut(serializers.ModelSerializer):
    class Meta:
        model = Venue
        fields = ["id", "name", "kind"]


class StaffOut(serializers.Serializer):
    id = serializers.IntegerField(source="person_id")
    display_name = serializers.CharField(source="person.display_name")
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class MyMembershipOut(serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class OrganisationOut(serializers.ModelSerializer):
    venues = OrganisationVenueOut(many=True, source="active_venues")
    my_membership = MyMembershipOut(
        allow_null=True, help_text="Your role here, or null when you are not a member"
    )
    staff = StaffOut(
        many=True,
        allow_null=True,
        source="staff_list",
        help_text="Members and their roles; shown to members only (null otherwise). No phones.",
    )

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "venues", "my_membership", "staff"]


class FromFieldMixin(serializers.Serializer):
    """`from` is a Python keyword: the field is declared as `from_` and renamed here."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class ReportQueryIn(FromFieldMixin, serializers.Serializer):
    from_ = serializers.DateField(
        help_text="First day, YYYY-MM-DD; snapped down to the first day of its month"
    )
    to = serializers.DateField(
        help_text="Last day, YYYY-MM-DD (inclusive); snapped up to the last day of its month"
    )


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-10"})
class MonthField(serializers.Field):
    """A month as YYYY-MM."""

    def to_representation(self, value):
        return value.strftime("%Y-%m")


class ReportRowOut(serializers.Serializer):
    venue_id = serializers.IntegerField(
        allow_null=True, help_text="null for the street meals in the organisation's area"
    )
    venue_name = serializers.CharField()
    month = MonthField(help_text="YYYY-MM (Europe/London)")
    meals_held = serializers.IntegerField(help_text="Completed, or published and ended")
    capacity = serializers.IntegerField(help_text="Seats offered at the meals held")
    signups = serializers.IntegerField(allow_null=True, help_text="Parties that did not cancel")
    distinct_people = serializers.IntegerField(
        allow_null=True, help_text="People who came (attended, or confirmed if not marked)"
    )
    first_timers = serializers.IntegerField(
        allow_null=True, help_text="People whose first meal ever was here this month"
    )
    sms_only_share = serializers.FloatField(
        allow_null=True, help_text="Share (0-1) of distinct_people without the app"
    )
    seats_filled = serializers.IntegerField(
        allow_null=True, help_text="Sum of party sizes of those who came"
    )
    seats_filled_share = serializers.FloatField(
        allow_null=True, help_text="seats_filled / capacity (0-1)"
    )
    no_shows = serializers.IntegerField(allow_null=True, help_text="Parties marked no_show")
    lifts_given = serializers.IntegerField(
        allow_null=True, help_text="Lifts volunteer drivers gave to people who came"
    )
    feedback_count = serializers.IntegerField(
        allow_null=True, help_text="null until feedback_final_from, or when withheld"
    )
    feedback_app = serializers.IntegerField(allow_null=True, help_text="Given in the app")
    feedback_sms = serializers.IntegerField(allow_null=True, help_text="Given by text")
    mean_felt_welcome = serializers.FloatField(
        allow_null=True, help_text="1-5; null without scores, when withheld or still pending"
    )
    mean_people_were_kind = serializers.FloatField(
        allow_null=True, help_text="1-5; null without scores, when withheld or still pending"
    )
    feedback_final_from = serializers.DateField(
        help_text="The month's feedback cells are shown from this day, once every meal's "
        "14-day feedback window has closed, and never change after it"
    )
    suppressed = serializers.ListField(
        child=serializers.CharField(),
        help_text=(
            f"Cells withheld (set to null) because fewer than {MIN_CELL_PEOPLE} people made "
            "them: all the people cells when 1-4 people came or 1-4 people have a sign-up "
            "they did not cancel (no-shows included); any other cell counting 1-4 people; "
            "first_timers or sms_only_share when 1-4 people could be read from them by "
            "difference; the other feedback channel when one is withheld; a mean when 1-4 "
            "people scored it"
        ),
    )
    pending = serializers.ListField(
        child=serializers.CharField(),
        help_text="Feedback cells set to null because the month's feedback is not final yet",
    )
    note = serializers.CharField(help_text="Why feedback is pending, in words; empty otherwise")


class ReportOrganisationOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ReportOut(FromFieldMixin, serializers.Serializer):
    organisation = ReportOrganisationOut()
    from_ = serializers.DateField(
        source="start", help_text="First day covered: the first day of the month asked from"
    )
    to = serializers.DateField(
        source="end", help_text="Last day covered: the last day of the month asked to"
    )
    min_cell_people = serializers.IntegerField(
        help_text="Cells built from fewer people than this are withheld"
    )
    people_cells = serializers.ListField(
        child=serializers.CharField(),
        help_text="The cells withheld together when a venue-month has 1-4 people behind it",
    )
    feedback_cells = serializers.ListField(
        child=serializers.CharField(),
        help_text="The cells pending until a month's feedback_final_from",
    )
    rows = ReportRowOut(many=True, help_text="Per venue, then month; months without meals show 0")


def report_payload(report) -> dict:
    """The report plus the suppression rule, in the shape ReportOut reads."""
    return {
        "organisation": report.organisation,
        "start": report.start,
        "end": report.end,
        "min_cell_people": MIN_CELL_PEOPLE,
        "people_cells": list(PEOPLE_CELLS),
        "feedback_cells": list(FEEDBACK_CELLS),
        "rows": report.rows,
    }
