"""Small template helpers: field state, local times and friendly words."""

from django import forms, template
from django.utils import timezone

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
