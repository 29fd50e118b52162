"""Where agencies are (issue 17: distance from home): the secure estate's shipped locations, the service's own
(admin, create_service, the demo), the data migration for existing installs, and the checks on a location."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError

from panels.enums import AgencyKind
from panels.management.commands.create_service import parse_location
from panels.models import Agency
from panels.provisioning import secure_estate_install
from panels.secure_estate import SECURE_ESTATE

migration = importlib.import_module("panels.migrations.0011_agency_location")
fill_locations = migration.fill_locations


def test_every_shipped_establishment_has_a_location_in_england_or_wales():
    outside = [e.name for e in SECURE_ESTATE
               if e.location is None or not (49.9 < float(e.location[0]) < 55.9 and -5.8 < float(e.location[1]) < 1.8)]
    assert outside == []


def test_shipped_locations_are_town_level():
    assert {len(part.split(".")[1]) for e in SECURE_ESTATE for part in e.location or ()} == {2}


@pytest.mark.django_db
def test_install_gives_each_establishment_its_location():
    secure_estate_install()
    assert Agency.objects.get(name="HMYOI Wetherby").latitude == Decimal("53.93")


@pytest.mark.django_db
def test_the_migration_fills_an_establishment_that_has_no_location():
    agency = Agency.objects.create(name="HMP and YOI Parc", kind=AgencyKind.SECURE_ESTATE, establishment_type="yoi")
    fill_locations(apps, None)
    agency.refresh_from_db()
    assert (agency.latitude, agency.longitude) == (Decimal("51.52"), Decimal("-3.55"))


@pytest.mark.django_db
def test_the_migration_fills_an_establishment_under_a_common_spelling():
    agency = Agency.objects.create(name="Wetherby YOI", kind=AgencyKind.SECURE_ESTATE, establishment_type="yoi")
    fill_locations(apps, None)
    agency.refresh_from_db()
    assert agency.latitude == Decimal("53.93")


def test_the_migrations_frozen_locations_are_the_reference_datas():
    assert [(lat, lon, names[0]) for lat, lon, names in migration.LOCATIONS] == \
        [(*e.location, e.name) for e in SECURE_ESTATE if e.location]


@pytest.mark.django_db
def test_the_migration_keeps_a_location_a_service_has_set():
    agency = Agency.objects.create(name="HMYOI Wetherby", kind=AgencyKind.SECURE_ESTATE, establishment_type="yoi",
                                   latitude=Decimal("53.9"), longitude=Decimal("-1.4"))
    fill_locations(apps, None)
    agency.refresh_from_db()
    assert agency.latitude == Decimal("53.9")


@pytest.mark.django_db
def test_the_migration_leaves_an_agency_of_another_name():
    agency = Agency.objects.create(name="HMYOI Larkhollow", kind=AgencyKind.SECURE_ESTATE, establishment_type="yoi")
    fill_locations(apps, None)
    agency.refresh_from_db()
    assert agency.latitude is None


@pytest.mark.django_db
def test_a_latitude_out_of_range_is_refused():
    agency = Agency(name="Nowhere YJS", kind=AgencyKind.YJS, latitude=Decimal("91"), longitude=Decimal("0"))
    with pytest.raises(ValidationError, match="less than or equal to 90"):
        agency.full_clean(validate_unique=False)


@pytest.mark.django_db
def test_a_latitude_without_a_longitude_is_refused():
    agency = Agency(name="Nowhere YJS", kind=AgencyKind.YJS, latitude=Decimal("53.8"))
    with pytest.raises(ValidationError, match="both latitude and longitude"):
        agency.full_clean(validate_unique=False)


@pytest.mark.django_db
def test_the_database_refuses_half_a_location():
    with pytest.raises(IntegrityError):
        Agency.objects.create(name="Nowhere YJS", kind=AgencyKind.YJS, longitude=Decimal("-1.55"))


@pytest.mark.django_db
def test_create_service_takes_the_services_location():
    call_command("create_service", "Anytown Youth Justice Service", "--manager", "amanager", "--manager-email",
                 "a.manager@anytown.example", "--location", "53.80, -1.55")
    service = Agency.objects.get(name="Anytown Youth Justice Service")
    assert (service.latitude, service.longitude) == (Decimal("53.80"), Decimal("-1.55"))


@pytest.mark.django_db
def test_create_service_refuses_a_location_that_is_not_one_and_changes_nothing():
    with pytest.raises(CommandError, match="--location: '53.80' is not latitude,longitude"):
        call_command("create_service", "Anytown YJS", "--manager", "m", "--manager-email", "m@anytown.example",
                     "--location", "53.80")
    assert not Agency.objects.exists()


@pytest.mark.parametrize("text", ["95,0", "53.8,-190", "north,west", "53.8,-1.5,0", "NaN,1", "53.123456,-1.5"])
def test_what_is_not_a_location(text):
    assert parse_location(text) is None


@pytest.mark.django_db
def test_the_demo_service_has_a_location():
    from panels.demo import SERVICE, seed_demo

    seed_demo(children=3)
    assert Agency.objects.get(name=SERVICE).latitude is not None


@pytest.fixture
def admin_client(world, client):
    from panels.models import User

    client.force_login(User.objects.create_superuser("root", "root@service.example", "correct-horse-battery",
                                                     agency=world.service))
    return client


def _admin_form(world, **location):
    return {"name": world.service.name, "short_name": "", "kind": "yjs", "establishment_type": "", "email": "",
            "phone": "", "address": "", "latitude": "", "longitude": "", **location}


def test_the_admin_sets_the_services_location(world, admin_client):
    admin_client.post(f"/admin/panels/agency/{world.service.pk}/change/",
                      _admin_form(world, latitude="53.80", longitude="-1.55"))
    world.service.refresh_from_db()
    assert world.service.longitude == Decimal("-1.55")


def test_the_admin_refuses_a_latitude_without_a_longitude(world, admin_client):
    url = f"/admin/panels/agency/{world.service.pk}/change/"
    response = admin_client.post(url, _admin_form(world, latitude="53.80"))
    assert "Give both latitude and longitude, or neither." in response.content.decode()
