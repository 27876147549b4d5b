"""Which safety prompts a meal shows, from the versioned catalogue (SAFETY_PROMPTS.md)."""

import copy

from meals.models import Meal, SafetyPrompt

# Any food arrangement counts: cooked by the host, brought by guests, or both.
FOOD_ARRANGEMENTS = {Meal.Food.HOST_PROVIDES, Meal.Food.BRING_A_DISH, Meal.Food.MIXED}
REGULAR = {Meal.Repeats.WEEKLY, Meal.Repeats.MORE_OFTEN}
# The catalogue's promise to hosts: a street tea never shows more, nor an indoor meal.
MAX_PROMPTS = {Meal.Setting.STREET: 9, Meal.Setting.VENUE: 7}


def _applies_to(meal: Meal) -> set[str]:
    applies = {SafetyPrompt.Applies.ALL}
    has_food = meal.food in FOOD_ARRANGEMENTS
    if has_food:
        applies.add(SafetyPrompt.Applies.FOOD)
        if meal.repeats in REGULAR:
            applies.add(SafetyPrompt.Applies.FOOD_REGULAR)
    if meal.setting == Meal.Setting.STREET:
        applies.add(SafetyPrompt.Applies.STREET)
        if meal.on_road:
            applies.add(SafetyPrompt.Applies.STREET_ON_ROAD)
    else:
        applies.add(SafetyPrompt.Applies.VENUE)
    return applies


def prompts_for(meal: Meal) -> list[SafetyPrompt]:
    """The newest active version of each prompt that applies, trimmed to the setting's limit.

    Organisation prompts join for meals at that organisation's venues. When there are too
    many, advisory prompts go first, the least important (highest position) first; required
    and stop prompts are never dropped.
    """
    organisation_id = meal.venue.organisation_id if meal.venue_id else None
    candidates = SafetyPrompt.objects.filter(active=True, applies__in=_applies_to(meal))
    if organisation_id:
        candidates = candidates.filter(organisation__isnull=True) | candidates.filter(
            organisation_id=organisation_id
        )
    else:
        candidates = candidates.filter(organisation__isnull=True)
    newest: dict[str, SafetyPrompt] = {}
    for prompt in candidates.order_by("key", "-version"):
        newest.setdefault(prompt.key, prompt)
    chosen = sorted(newest.values(), key=lambda p: (p.position, p.key))
    limit = MAX_PROMPTS[meal.setting]
    advisory = sorted(
        (p for p in chosen if p.level == SafetyPrompt.Level.ADVISORY),
        key=lambda p: (p.position, p.key),
    )
    while len(chosen) > limit and advisory:
        chosen.remove(advisory.pop())
    return chosen


def answerable_prompts(meal: Meal) -> dict[str, SafetyPrompt]:
    """Prompts a host may answer now: those shown, plus those a change of road use or
    frequency would bring in, so a published meal can be answered ahead of such a change."""
    prompts: dict[str, SafetyPrompt] = {}
    for on_road in (meal.on_road, True):
        for repeats in (meal.repeats, Meal.Repeats.WEEKLY):
            variant = copy.copy(meal)
            variant.on_road, variant.repeats = on_road, repeats
            for prompt in prompts_for(variant):
                prompts.setdefault(prompt.key, prompt)
    return prompts
