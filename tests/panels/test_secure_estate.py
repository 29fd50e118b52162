"""The secure estate shipped as reference data: installed once, resolving the spellings people write."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from panels.enums import AgencyKind, UserRole
from panels.models import Agency, AuditEntry, Child, User
from panels.provisioning import secure_estate_install
from panels.secure_estate import SECURE_ESTATE, closest, spelling_key, spellings_index
from tests.panels.test_cohort_import import make_csv, run, sentenced


def test_spellings_compare_without_case_punctuation_or_ampersands():
    assert spelling_key("HMP & YOI  Parc") == spelling_key("hmp and yoi parc")
    assert spelling_key("Adel Beck Secure Children’s Home") == spelling_key("adel beck secure childrens home")


def test_every_establishment_has_a_cohort_type_or_none_and_no_spelling_is_claimed_twice():
    keys = [spelling_key(s) for e in SECURE_ESTATE for s in (e.name, *e.spellings)]
    assert len(keys) == len(set(keys))
    assert {e.establishment_type for e in SECURE_ESTATE} <= {"yoi", "stc", "sch", ""}


def test_a_reference_spelling_reaches_an_agency_only_when_that_agency_exists():
    index = spellings_index([("HMYOI Wetherby", "Wetherby")])
    assert index[spelling_key("Wetherby YOI")] == "HMYOI Wetherby"
    assert spelling_key("Oakhill STC") not in index


def test_the_closest_names_are_offered_for_a_misspelling():
    index = spellings_index([("HMYOI Wetherby", "Wetherby"), ("HMYOI Werrington", "Werrington")])
    assert closest("Wetherbee YOI", index)[0] == "HMYOI Wetherby"
    assert closest("Quantum Leap House", index) == []


@pytest.mark.django_db
def test_install_creates_every_establishment_once_and_audits_it():
    created = secure_estate_install()
    assert len(created) == len(SECURE_ESTATE)
    assert secure_estate_install() == []
    assert Agency.objects.filter(kind=AgencyKind.SECURE_ESTATE).count() == len(SECURE_ESTATE)
    assert AuditEntry.objects.filter(action="agency.secure_estate_installed").count() == 1


@pytest.mark.django_db
def test_install_keeps_an_establishment_the_service_already_has_under_another_spelling():
    Agency.objects.create(name="Wetherby YOI", kind=AgencyKind.SECURE_ESTATE, establishment_type="yoi")
    secure_estate_install()
    assert not Agency.objects.filter(name="HMYOI Wetherby").exists()


def test_the_import_files_a_common_spelling_under_the_establishment_and_exports_its_name(world):
    secure_estate_install()
    job = run(world, make_csv(sentenced(establishment="Wetherby YOI")))
    assert job.problems == []
    episode = Child.objects.get(reference="YJ-0101").episodes.get(is_current=True, establishment__isnull=False)
    assert episode.establishment.name == "HMYOI Wetherby"


def test_an_unknown_establishment_is_refused_naming_the_closest_matches(world):
    secure_estate_install()
    job = run(world, make_csv(sentenced(establishment="Wetherbee YOI")))
    [problem] = job.problems
    assert problem["field"] == "establishment"
    assert "Did you mean 'HMYOI Wetherby'" in problem["message"]
    assert not Child.objects.filter(reference="YJ-0101").exists()


@pytest.mark.django_db
def test_create_service_makes_the_service_its_manager_and_the_secure_estate(capsys):
    call_command("create_service", "Anytown Youth Justice Service", "--short-name", "Anytown YJS",
                 "--manager", "amanager", "--manager-email", "a.manager@anytown.example")
    service = Agency.objects.get(name="Anytown Youth Justice Service")
    assert service.kind == AgencyKind.YJS
    manager = User.objects.get(username="amanager")
    assert (manager.agency, manager.role, manager.is_superuser) == (service, UserRole.MANAGER, True)
    assert Agency.objects.filter(kind=AgencyKind.SECURE_ESTATE).count() == len(SECURE_ESTATE)
    out = capsys.readouterr().out
    password = out.split("one-time password:\n")[1].split()[0]
    assert manager.check_password(password)


@pytest.mark.django_db
def test_create_service_names_every_missing_or_bad_option():
    with pytest.raises(CommandError) as error:
        call_command("create_service", "Anytown YJS", "--manager-email", "not-an-address")
    assert "--manager: give the first manager's username." in str(error.value)
    assert "--manager-email: 'not-an-address' is not an email address." in str(error.value)
    assert not Agency.objects.exists()


@pytest.mark.django_db
def test_create_service_refuses_a_name_that_exists_and_changes_nothing():
    Agency.objects.create(name="Anytown YJS", kind=AgencyKind.YJS)
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_service", "anytown yjs", "--manager", "m", "--manager-email", "m@anytown.example")
    assert not User.objects.exists()
