"""The dependency rules of ARCHITECTURE.md, checked by reading every module's imports.

    api  ->  meals  ->  venues  ->  notifications  ->  people
    web  ->  meals  ->  ...          (api and web, the two faces, never import each other)

A lower app never imports a higher one; only `notifications/gateways/` and `api/` import
twilio; only `api/` imports rest_framework or rest_framework_simplejwt.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["people", "notifications", "venues", "meals", "api"]  # lowest first
RANK = {app: rank for rank, app in enumerate(LAYERS)}
RANK["web"] = RANK["api"]  # the two faces sit side by side at the top
FACES = {"api", "web"}
DOMAIN_APPS = ["people", "notifications", "venues", "meals"]
HTTP_PACKAGES = {"rest_framework", "rest_framework_simplejwt"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, *, module: str, is_package: bool = False) -> set[str]:
    """Every absolute module name `source` imports, with relative imports resolved."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                found.add(".".join([*base, node.module] if node.module else base))
            elif node.module:
                found.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def violations(source: str, *, module: str, is_package: bool = False) -> list[str]:
    """What in `source` (the code of `module`) breaks the rules, in words."""
    app = module.split(".")[0]
    problems = []
    for name in sorted(imported_modules(source, module=module, is_package=is_package)):
        top = name.split(".")[0]
        if top in RANK and app in RANK and RANK[top] > RANK[app]:
            problems.append(f"{module} imports {name}: {app} may not depend on {top}")
        if top in FACES and app in FACES and top != app:
            problems.append(f"{module} imports {name}: api and web never import each other")
        if top == "twilio" and not (app == "api" or module.startswith("notifications.gateways")):
            problems.append(f"{module} imports {name}: only notifications.gateways and api may")
        if top in HTTP_PACKAGES and app != "api":
            problems.append(f"{module} imports {name}: only api knows HTTP and JWT")
    return problems


def python_files(app: str) -> list[Path]:
    return sorted(p for p in (ROOT / app).rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_app_imports_follow_the_dependency_direction(app):
    files = python_files(app)
    assert files, f"no Python files found in {app}/"
    problems = []
    for path in files:
        problems += violations(
            path.read_text(encoding="utf-8"),
            module=module_name(path),
            is_package=path.name == "__init__.py",
        )
    assert problems == []


@pytest.mark.parametrize("face", sorted(FACES))
def test_the_faces_never_import_each_other_nor_reach_past_their_rules(face):
    files = python_files(face)
    assert files, f"no Python files found in {face}/"
    problems = []
    for path in files:
        problems += violations(
            path.read_text(encoding="utf-8"),
            module=module_name(path),
            is_package=path.name == "__init__.py",
        )
    assert problems == []


# --- the checker itself ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("from api.services import person_delete\n", "web.views.account"),
        ("import web.forms\n", "api.views.me"),
        ("from rest_framework import serializers\n", "web.forms"),
        ("from twilio.rest import Client\n", "web.views.auth"),
        ("from web import forms\n", "meals.services"),
    ],
)
def test_checker_keeps_web_and_api_apart(source, module):
    assert len(violations(source, module=module)) == 1


def test_checker_lets_web_use_the_domain_apps():
    source = "from meals import services\nfrom venues.selectors import venues_search\n"

    assert violations(source, module="web.views.propose") == []


def test_checker_catches_venues_importing_meals():
    source = "from meals.models import Meal\n"

    assert violations(source, module="venues.services") == [
        "venues.services imports meals.models: venues may not depend on meals"
    ]


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("import meals.services\n", "notifications.services"),
        ("from venues import models\n", "people.models"),
        ("from api.views import me\n", "meals.services"),
        ("def f():\n    from meals.models import Meal\n", "venues.models"),
        ("import importlib\nimportlib.import_module('meals.tasks')\n", "venues.tasks"),
        ("if TYPE_CHECKING:\n    from meals.models import Meal\n", "notifications.services"),
    ],
)
def test_checker_catches_every_way_of_importing_upwards(source, module):
    assert len(violations(source, module=module)) == 1


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("from people.models import User\n", "venues.models"),
        ("from notifications.services import notify\n", "meals.services"),
        ("from meals.models import Meal\n", "api.views.meals"),
        ("from .models import Venue\n", "venues.services"),
        ("from . import texts\n", "meals"),
        ("from twilio.rest import Client\n", "notifications.gateways.twilio"),
        ("from twilio.request_validator import RequestValidator\n", "api.sms.views"),
        ("from rest_framework import serializers\n", "api.serializers.people"),
        ("import django.db\n", "people.models"),
    ],
)
def test_checker_allows_what_the_rules_allow(source, module):
    assert violations(source, module=module) == []


def test_checker_resolves_relative_imports():
    assert imported_modules("from ..models import Meal\n", module="meals.sub.thing") == {
        "meals.models"
    }
    assert imported_modules("from .base import X\n", module="venues.pkg", is_package=True) == {
        "venues.pkg.base"
    }


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("from twilio.rest import Client\n", "notifications.services"),
        ("import twilio\n", "meals.sms"),
        ("from rest_framework import serializers\n", "meals.services"),
        ("from rest_framework_simplejwt.tokens import RefreshToken\n", "people.services"),
    ],
)
def test_checker_keeps_twilio_and_http_where_they_belong(source, module):
    assert len(violations(source, module=module)) == 1


# --- the faces write nothing themselves -------------------------------------------------------

# Views and the SMS conversation parse, call services and answer; every write is a service's.
WRITE_FREE_DIRS = ["api/views", "api/sms", "web/views"]
ORM_WRITES = {
    "save",
    "create",
    "delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
# `.update(` is a write only on a queryset or a manager; on a dict it is not.
QUERYSET_STEPS = {
    "objects",
    "all",
    "filter",
    "exclude",
    "select_for_update",
    "select_related",
    "prefetch_related",
    "annotate",
    "alias",
    "order_by",
    "distinct",
    "only",
    "defer",
    "using",
    "none",
    "get_queryset",
}


def _is_queryset(node: ast.expr) -> bool:
    """Whether `node` is a chain through `.objects` or a queryset method (`X.objects.filter()`)."""
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Attribute):
            if node.attr in QUERYSET_STEPS:
                return True
            node = node.value
        else:
            node = node.func
    return False


def orm_writes(source: str) -> list[str]:
    """Each ORM write call in `source`, as "line N: .name(".

    It reads names, not types: a write through a queryset kept in a variable
    (`signups.update(...)`) goes unseen, and any `.save(` or `.delete(` is taken for one.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = node.func.attr
        if name in ORM_WRITES or (name == "update" and _is_queryset(node.func.value)):
            found.append(f"line {node.lineno}: .{name}(")
    return found


@pytest.mark.parametrize("face", WRITE_FREE_DIRS)
def test_the_faces_leave_every_write_to_a_service(face):
    files = sorted(p for p in (ROOT / face).rglob("*.py") if "__pycache__" not in p.parts)
    assert files, f"no Python files found in {face}/"
    problems = [
        f"{path.relative_to(ROOT)} {write}"
        for path in files
        for write in orm_writes(path.read_text(encoding="utf-8"))
    ]
    assert problems == []


@pytest.mark.parametrize(
    "source",
    [
        "Meal.objects.create(title='Soup')",
        "row.save(update_fields=['reply'])",
        "booking.delete()",
        "User.objects.filter(pk=1).update(sms_paused=True)",
        "User.objects.update(sms_paused=True)",
        "Signup.objects.exclude(pk=1).update(status='cancelled')",
        "Venue.objects.select_for_update().filter(pk=1).update(active=False)",
        "person.memberships.all().update(role='staff')",
        "Dish.objects.bulk_create(dishes)",
        "Meal.objects.bulk_update(meals, ['title'])",
        "Meal.objects.get_or_create(code='T7K2')",
        "InboundSms.objects.update_or_create(message_sid='SM1', defaults={})",
        "def post(self, request):\n    if ok:\n        Meal.objects.filter(pk=1).delete()\n",
    ],
)
def test_write_checker_catches_each_kind_of_orm_write(source):
    assert len(orm_writes(source)) == 1


@pytest.mark.parametrize(
    "source",
    [
        "context.update({'meal': 'Soup'})",
        "fields.update(name='Hall')",
        "{}.update(a=1)",
        "self.extra.update(kwargs)",
        "Meal.objects.filter(pk=1).exists()",
        "signup_create(meal=meal, person=person)",
        "services.meal_update(meal=meal, title='Soup')",
        "def create(self, request):\n    return Response(status=201)\n",
    ],
)
def test_write_checker_lets_reads_service_calls_and_dict_updates_pass(source):
    assert orm_writes(source) == []


def test_write_checker_names_the_line_and_the_call():
    source = "x = 1\nrow.save()\nQ.objects.filter(a=1).update(b=2)\n"

    assert orm_writes(source) == ["line 2: .save(", "line 3: .update("]


# --- settings are declared, not defaulted where they are read ----------------------------------

SETTINGS_APPS = ["people", "notifications", "venues", "meals", "api"]
SETTINGS_PENDING: set[str] = set()


def settings_defaults(source: str) -> list[str]:
    """Each `getattr(settings, ...)` in `source`, as "line N: NAME" (a default hides a knob)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"getattr", "hasattr"}
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == "settings"
        ):
            name = node.args[1] if len(node.args) > 1 else None
            shown = name.value if isinstance(name, ast.Constant) else ast.unparse(name or node)
            found.append(f"line {node.lineno}: {shown}")
    return found


def test_every_setting_is_declared_in_api_settings_not_defaulted_where_read():
    problems = []
    for app in SETTINGS_APPS:
        for path in python_files(app):
            relative = path.relative_to(ROOT).as_posix()
            if relative in SETTINGS_PENDING or "migrations" in path.parts:
                continue
            problems += [
                f"{relative} {hit}" for hit in settings_defaults(path.read_text(encoding="utf-8"))
            ]
    assert problems == []


def test_settings_check_catches_a_default_and_lets_a_declared_read_pass():
    source = (
        "from django.conf import settings\n"
        "a = settings.SMS_BACKEND\n"
        "b = getattr(settings, 'TWILIO_TIMEOUT_SECONDS', 10)\n"
        "c = getattr(other, 'X', 1)\n"
    )

    assert settings_defaults(source) == ["line 3: TWILIO_TIMEOUT_SECONDS"]
