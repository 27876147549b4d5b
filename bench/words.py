"""The words the benchmark data is made of: names, streets, kinds of venue and meal."""

FIRST_NAMES = [
    "Agnes",
    "Morag",
    "Isla",
    "Jean",
    "Margaret",
    "Elspeth",
    "Fiona",
    "Ailsa",
    "Catriona",
    "Helen",
    "Moira",
    "Shona",
    "Kirsty",
    "Eilidh",
    "Senga",
    "Rab",
    "Hamish",
    "Angus",
    "Duncan",
    "Callum",
    "Euan",
    "Ewan",
    "Fraser",
    "Gordon",
    "Iain",
    "Jock",
    "Malcolm",
    "Murdo",
    "Ruaridh",
    "Tam",
    "Alasdair",
    "Douglas",
    "Archie",
    "Lachlan",
    "Rory",
    "Niamh",
    "Priya",
    "Amir",
    "Tomasz",
    "Ola",
]
LAST_INITIALS = "ABCDEFGHIJKLMNOPRSTUVWY"
STREETS = [
    "High Street",
    "Main Street",
    "Church Street",
    "Station Road",
    "Dockhead Street",
    "Harbour Road",
    "Victoria Road",
    "Park Avenue",
    "Mill Lane",
    "Castle Street",
    "Bridge Street",
    "Queen Street",
    "King Street",
    "Seaview Terrace",
    "Burns Crescent",
    "Hawthorn Drive",
    "Rowan Place",
    "School Wynd",
]
VENUE_KINDS = (
    ("community_hall", "Community Hall"),
    ("common_room", "Common Room"),
    ("library", "Library"),
    ("church_hall", "Church Hall"),
    ("cafe", "Cafe"),
    ("garden", "Community Garden"),
)
ORG_KINDS = (
    ("housing_association", "Housing Association"),
    ("council", "Council"),
    ("charity", "Neighbours Trust"),
    ("community_group", "Lunch Club"),
)
VENUE_MEAL_KINDS = ("shared_lunch", "shared_lunch", "high_tea", "supper")
MEAL_KIND_WORDS = {
    "shared_lunch": "Shared lunch",
    "high_tea": "High tea",
    "supper": "Supper",
    "street_tea": "Street tea",
}
FOODS = ("host_provides", "bring_a_dish", "mixed")
DIETARY = ("vegetarian", "vegan", "gluten_free", "soft_food", "halal", "dairy_free")
PARTY_SIZES = (1, 1, 1, 1, 2, 2, 2, 3, 4)
