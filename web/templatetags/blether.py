"""Small template helpers: field state, local times and friendly words."""

import functools

from django import forms, template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from meals.models import Meal

register = template.Library()

KIND_WORDS: dict[str, str] = {
    Meal.Kind.SHARED_LUNCH: "Shared lunch",
    Meal.Kind.STREET_TEA: "Street tea",
    Meal.Kind.HIGH_TEA: "High tea",
    Meal.Kind.SUPPER: "Supper",
}


@register.filter
def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind, kind.replace("_", " ").capitalize())


@register.filter
def words(code: str) -> str:
    """'tree_nuts' -> 'tree nuts'."""
    return (code or "").replace("_", " ")


@register.filter
def when(moment) -> str:
    """'Saturday 28 November, 12:00' in UK time."""
    if not moment:
        return ""
    local = timezone.localtime(moment)
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M}"


@register.filter
def clock(moment) -> str:
    return f"{timezone.localtime(moment):%H:%M}" if moment else ""


@register.filter
def distance(metres) -> str:
    if metres is None:
        return ""
    metres = getattr(metres, "m", metres)
    if metres < 1000:
        return f"{round(metres / 10) * 10:.0f} m away"
    return f"{metres / 1000:.1f} km away"


@register.filter
def checked(field, value) -> bool:
    """True when a radio or checkbox of `field` with `value` is chosen (bound or initial)."""
    current = field.value()
    if isinstance(current, list | tuple):
        return str(value) in [str(v) for v in current]
    return current is not None and str(current) == str(value)


@register.filter
def first_input_id(field) -> str:
    """The id an error summary links to: a group's first option, or the input itself."""
    if isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{field.auto_id}_0"
    return field.auto_id


# One meal of a list (it was the include web/includes/meal_card.html); built in Python: a page
# of 20 cost a template include, a `{% url %}` and four filters each (about 80 us a card).
_WAITING = '<strong class="govuk-tag govuk-tag--yellow">Waiting list</strong>'
_STEP_FREE = '    <li><strong class="govuk-tag govuk-tag--green">Step-free</strong></li>\n'


def _meal_card(meal, meal_path: str) -> str:
    left = meal.seats_left
    seats = f"{left} seat{'' if left == 1 else 's'} left" if left else _WAITING
    metres = getattr(meal, "distance_m", None)
    away = f"    <li>{distance(metres)}</li>\n" if metres is not None else ""
    return (
        '<li class="blether-meal">\n'
        f'  <p class="govuk-body-s govuk-!-margin-bottom-1">{escape(kind_words(meal.kind))}</p>\n'
        '  <h2 class="govuk-heading-m blether-meal__title">'
        f'<a class="govuk-link" href="{meal_path.format(int(meal.pk))}">{escape(meal.title)}</a></h2>\n'
        '  <ul class="govuk-list blether-meal__facts">\n'
        f"    <li>{when(meal.starts_at)}</li>\n"
        f"{away}    <li>{seats}</li>\n{_STEP_FREE if meal.step_free else ''}"
        "  </ul>\n"
        "</li>"
    )


@register.simple_tag
def meal_cards(meals) -> SafeString:
    """The cards of a list of meals (meals near me), each linking to its page. Only the title
    and the kind come from people, and they are escaped; the rest is Blether's own words."""
    meal_path = reverse("web:meal", args=[0]).replace("/0/", "/{}/")
    return mark_safe("".join(_meal_card(meal, meal_path) for meal in meals))  # noqa: S308


FILTERS = "web/includes/meal_filters.html"


@register.simple_tag
def meal_filters(form) -> SafeString:
    """Meals near me's filters. Unbound, as on most visits, they are the same HTML for everyone
    (no person's values, no token), so each process renders them once: six fields cost more
    than the page's 20 meals."""
    if form.is_bound:
        return mark_safe(render_to_string(FILTERS, {"form": form}))  # noqa: S308
    return _unbound_filters()


@functools.cache
def _unbound_filters() -> SafeString:
    from web.forms import MealFilterForm

    return mark_safe(render_to_string(FILTERS, {"form": MealFilterForm()}))  # noqa: S308
