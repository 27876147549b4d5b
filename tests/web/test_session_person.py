"""people.backends.PersonBackend: a signed-in web page reads its person with one plain
statement; passwords and permissions stay ModelBackend's, and its sessions go on working."""

import re

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, authenticate
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from people.backends import PersonBackend
from people.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE = "+447700900123"
PLAIN_READ = re.compile(r'^SELECT "id", "password", .* FROM "people_user" WHERE "id" = \d+$')
ORM_READ = '"people_user"."id" = '


def _people_reads(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if 'FROM "people_user"' in q["sql"]]


def test_signing_in_by_code_keeps_the_person_with_one_plain_statement(
    client, sms_outbox, django_capture_on_commit_callbacks
):
    UserFactory(phone=PHONE, display_name="Morag Reid")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/sign-in/", {"phone": "07700 900123"})
    code = re.search(r"\b([0-9]{6})\b", sms_outbox[-1]["body"]).group(1)
    client.post("/sign-in/code/", {"code": code})
    assert client.session[BACKEND_SESSION_KEY] == "people.backends.PersonBackend"

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/my-meals/")

    assert response.status_code == 200
    assert response.context["user"].phone == PHONE
    reads = _people_reads(queries)
    assert len(reads) == 1
    assert PLAIN_READ.match(reads[0]), reads[0]


def test_the_person_read_is_the_one_the_orm_reads():
    person = UserFactory(display_name="Shona A.")

    read = PersonBackend().get_user(person.pk)

    expected = User.objects.get(pk=person.pk)
    assert read is not None
    assert {f.attname: getattr(read, f.attname) for f in User._meta.concrete_fields} == {
        f.attname: getattr(expected, f.attname) for f in User._meta.concrete_fields
    }
    assert read._state.adding is False


@pytest.mark.parametrize("stored", ["12", 0, -1, 2**63, 1.0, None, [1]])
def test_a_stored_id_that_is_no_whole_number_in_range_is_nobody(stored):
    UserFactory()

    assert PersonBackend().get_user(stored) is None


def test_a_person_who_has_left_is_signed_out():
    person = UserFactory()
    client = Client()
    client.force_login(person)
    assert client.get("/my-meals/").status_code == 200

    User.objects.filter(pk=person.pk).update(is_active=False)
    response = client.get("/my-meals/")

    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_a_new_password_ends_the_sessions_signed_in_before_it():
    person = UserFactory()
    client = Client()
    client.force_login(person)
    assert client.session[BACKEND_SESSION_KEY] == "people.backends.PersonBackend"

    person.set_password("a new long passphrase")
    person.save(update_fields=["password"])

    assert client.get("/my-meals/")["Location"].startswith("/sign-in/")


def test_a_session_signed_in_under_model_backend_goes_on_as_before():
    person = UserFactory()
    client = Client()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/my-meals/")

    assert response.status_code == 200
    assert response.context["user"].pk == person.pk
    assert any(ORM_READ in sql for sql in _people_reads(queries))


def test_a_password_is_checked_by_model_backend_alone_and_only_once(monkeypatch):
    staff = UserFactory(is_staff=True)
    staff.set_password("correct horse battery staple")
    staff.save(update_fields=["password"])
    checks = []
    original = User.check_password

    def counted(self, raw):
        checks.append(raw)
        return original(self, raw)

    monkeypatch.setattr(User, "check_password", counted)

    wrong = authenticate(phone=staff.phone, password="wrong horse")
    right = authenticate(phone=staff.phone, password="correct horse battery staple")

    assert wrong is None
    assert right is not None and right.pk == staff.pk
    assert right.backend == "django.contrib.auth.backends.ModelBackend"
    assert checks == ["wrong horse", "correct horse battery staple"]


def test_permissions_are_model_backends():
    plain = UserFactory()
    superuser = UserFactory(is_staff=True, is_superuser=True)

    assert PersonBackend().get_all_permissions(superuser) == set()
    assert superuser.has_perm("meals.view_meal") is True
    assert plain.has_perm("meals.view_meal") is False
