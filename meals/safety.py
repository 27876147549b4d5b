"""Which safety prompts a meal shows, from the versioned catalogue (SAFETY_PROMPTS.md)."""

import copy

from meals.models import Meal, SafetyPrompt

# The catalogue's promise to hosts: a street tea never shows more, nor an indoor meal.
MAX_PROMPTS: dict[str, int] = {Meal.Setting.STREET: 9, Meal.Setting.VENUE: 7}


def prompts_for(meal: Meal) -> list[SafetyPrompt]:
    """The newest active version of each prompt that applies, trimmed to the setting's limit.

    Organisation prompts join for meals at that organisation's venues. When there are too
    many, advisory prompts go first, the least important (highest position) first; required
    and stop prompts are never dropped.
    """
    chosen = sorted(SafetyPrompt.objects.shown_for(meal), key=lambda p: (p.position, p.key))
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
