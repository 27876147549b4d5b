"""Load the starting safety-prompt catalogue (SAFETY_PROMPTS.md), version 1 of each prompt."""

from django.db import migrations

# key, applies, level, position, question, guidance. Lower position = kept first when a
# setting's limit forces advisory prompts out.
CATALOGUE = [
    (
        "allergens_labelled",
        "food",
        "required",
        10,
        "Will every dish have a note saying what is in it, including any of the 14 allergens?",
        "The app lists each dish's allergens; ask cooks to tick them when they add a dish.",
    ),
    (
        "food_kept_safe",
        "food",
        "required",
        20,
        "Will hot food stay hot and cold food stay cold until it is served, "
        "and nothing sit out more than 4 hours?",
        "Clean, chill, cook, avoid cross-contamination; "
        "take extra care with food for older guests.",
    ),
    (
        "hands_washed",
        "food",
        "advisory",
        30,
        "Is there somewhere to wash hands, or gel and wipes?",
        "A bowl of warm soapy water and paper towels will do outdoors.",
    ),
    (
        "regular_food_registered",
        "food_regular",
        "advisory",
        40,
        "If this meal runs every week or more often, have you told the council's food team?",
        "Regular, organised community food may need registering 28 days before; "
        "one-off meals usually do not.",
    ),
    (
        "emergency_ready",
        "all",
        "required",
        50,
        "Do you know the exact address or what3words to give 999, "
        "and where the nearest first-aid kit is?",
        "Note the nearest defibrillator too, if there is one.",
    ),
    (
        "contact_on_day",
        "all",
        "required",
        60,
        "Will guests have a number to ring on the day?",
        "The app texts guests the host's contact relay; nobody's own number is shown.",
    ),
    (
        "step_free",
        "all",
        "advisory",
        70,
        "Can someone with a wheelchair or walking frame get in and sit down?",
        "Say so in the description, so nobody makes a wasted trip.",
    ),
    (
        "road_permission",
        "street_on_road",
        "stop",
        80,
        "Is the tea on a pavement, private ground, or a road the council has agreed to close?",
        "Ask the council at least 6 weeks ahead; in Scotland closures are made under the "
        "Road Traffic Regulation Act 1984. A pavement or front garden tea needs no permission.",
    ),
    (
        "emergency_access",
        "street",
        "required",
        90,
        "Will an ambulance or fire engine still be able to get through?",
        "Leave a 3.7 m lane or a way to move tables quickly.",
    ),
    (
        "weather_plan",
        "street",
        "advisory",
        100,
        "Have you a plan if it rains?",
        "A gazebo, a neighbour's garage, or a date to move to.",
    ),
    (
        "glass_and_bbq",
        "street",
        "advisory",
        110,
        "Plastic not glass, and any barbecue with an adult in charge away from children?",
        "",
    ),
    (
        "venue_rules",
        "venue",
        "required",
        120,
        "Have you read the venue's house rules?",
        "Shown from the venue's page.",
    ),
]


def load(apps, schema_editor):
    SafetyPrompt = apps.get_model("meals", "SafetyPrompt")
    for key, applies, level, position, question, guidance in CATALOGUE:
        SafetyPrompt.objects.update_or_create(
            key=key,
            version=1,
            defaults={
                "applies": applies,
                "level": level,
                "position": position,
                "question": question,
                "guidance": guidance,
                "active": True,
            },
        )


def unload(apps, schema_editor):
    SafetyPrompt = apps.get_model("meals", "SafetyPrompt")
    SafetyPrompt.objects.filter(
        key__in=[row[0] for row in CATALOGUE], version=1, organisation__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("meals", "0003_meal_revision"),
    ]

    operations = [migrations.RunPython(load, unload)]
