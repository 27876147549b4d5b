"""A series' safety answers: given once for the whole series, copied to each occurrence.

An answer is copied only while its prompt is still the version answered, so a reworded
prompt is asked again (the occurrence stays a draft and its host is reminded).
"""

from django.db import transaction
from django.utils import timezone

from meals.models import Meal, MealSeries, SafetyAnswer, SafetyPrompt, SeriesSafetyAnswer
from meals.safety import answerable_prompts
from meals.services.errors import MealInvalid
from meals.services.publishing import answer_fields
from meals.services.series_rows import locked_series, open_occurrences, repeats_of
from people.errors import NotAllowed
from people.models import User


def series_template(series: MealSeries) -> Meal:
    """An unsaved meal shaped like the series' occurrences, to ask which prompts apply."""
    return Meal(
        host=series.host,
        setting=series.setting,
        food=series.food,
        on_road=series.on_road,
        repeats=repeats_of(series),
    )


def series_answers_copy(*, series: MealSeries, meal: Meal) -> int:
    """Copy the series' answers to `meal` where the prompt is still the version answered;
    returns how many were copied. Call inside a transaction."""
    prompts = answerable_prompts(meal)
    copied = 0
    for answer in series.safety_answers.all():
        prompt = prompts.get(answer.key)
        if prompt is None or prompt.pk != answer.prompt_id:
            continue
        SafetyAnswer.objects.update_or_create(
            meal=meal,
            key=answer.key,
            defaults={
                "prompt": prompt,
                "question_asked": answer.question_asked,
                "answer": answer.answer,
                "note": answer.note,
                "answered_by": answer.answered_by,
                "answered_at": answer.answered_at,
            },
        )
        copied += 1
    return copied


def _check_answers(series: MealSeries, answers: list[dict]) -> dict[str, SafetyPrompt]:
    prompts = answerable_prompts(series_template(series))
    keys = [a["key"] for a in answers]
    unknown = sorted(set(keys) - set(prompts))
    if unknown:
        raise MealInvalid({"answers": [f"Not a question for this series: {', '.join(unknown)}."]})
    if len(set(keys)) != len(keys):
        raise MealInvalid({"answers": ["Answer each question once."]})
    published = series.status == MealSeries.Status.PUBLISHED
    for item in answers:
        prompt = prompts[item["key"]]
        if published and prompt.level == SafetyPrompt.Level.STOP and item["answer"] == "no":
            raise MealInvalid(
                {"answers": [f"A published series needs a yes to: {prompt.question}"]}
            )
    return prompts


@transaction.atomic
def series_safety_answers_save(
    *, series: MealSeries, by: User, answers: list[dict]
) -> list[SeriesSafetyAnswer]:
    """The host answers for the whole series; the answers reach every occurrence yet to come
    (and each one written later)."""
    series = locked_series(series)
    if series.host_id != by.pk:
        raise NotAllowed("Only the host answers the safety questions.")
    if series.status == MealSeries.Status.ENDED:
        raise MealInvalid("This series has ended.")
    prompts = _check_answers(series, answers)
    now = timezone.now()
    saved = []
    for item in answers:
        prompt = prompts[item["key"]]
        answer, _ = SeriesSafetyAnswer.objects.update_or_create(
            series=series, key=prompt.key, defaults=answer_fields(prompt, item, by=by, at=now)
        )
        saved.append(answer)
    for meal in open_occurrences(series):
        series_answers_copy(series=series, meal=meal)
    return saved
