"""Setting up a service on a fresh install: the secure estate's establishments and the service itself.

Writes (the services layer for set-up). ``manage.py create_service`` is the way in for a real service;
``seed_demo`` uses the same step for the secure estate.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from panels.audit import audit_record
from panels.enums import AgencyKind, UserRole
from panels.models import Agency, User
from panels.secure_estate import SECURE_ESTATE, spelling_key


def secure_estate_install() -> list[Agency]:
    """Create the secure-estate agencies that do not exist yet (idempotent); returns those created.

    An establishment that already exists under any of its spellings is left as the service keeps it. Each gets
    its approximate location (``Establishment.location``, town level).
    """
    with transaction.atomic():
        existing = {spelling_key(n) for pair in Agency.objects.values_list("name", "short_name") for n in pair if n}
        created = []
        for establishment in SECURE_ESTATE:
            known = {spelling_key(n) for n in (establishment.name, *establishment.spellings)}
            if known & existing:
                continue
            created.append(Agency.objects.create(
                name=establishment.name, short_name=establishment.short_name, kind=AgencyKind.SECURE_ESTATE,
                establishment_type=establishment.establishment_type,
                **establishment_location(establishment.location),
            ))
            existing |= known
        if created:
            audit_record(actor=None, action="agency.secure_estate_installed",
                         detail={"created": [a.name for a in created]})
        return created


def establishment_location(location: tuple[str, str] | None) -> dict[str, Decimal | None]:
    """An establishment's reference location as the agency's fields."""
    if location is None:
        return {"latitude": None, "longitude": None}
    return {"latitude": Decimal(location[0]), "longitude": Decimal(location[1])}


@dataclass
class NewService:
    service: Agency
    manager: User
    establishments_added: int


class ServiceExists(ValueError):
    pass


def service_create(*, name: str, short_name: str, email: str, manager_username: str, manager_email: str,
                   manager_password: str, location: tuple[Decimal, Decimal] | None = None) -> NewService:
    """A youth justice service with its first manager (a superuser, for the admin) and the secure estate.

    ``location``: (latitude, longitude) of a point in the service's area, read as its children's home by the
    distance-from-home figures; optional (set it in the admin later)."""
    name, short_name = name.strip(), short_name.strip()
    with transaction.atomic():
        if Agency.objects.filter(name__iexact=name).exists():
            raise ServiceExists(f"An agency called {name!r} already exists.")
        if User.objects.filter(username__iexact=manager_username).exists():
            raise ServiceExists(f"A user called {manager_username!r} already exists.")
        latitude, longitude = location or (None, None)
        service = Agency(name=name, short_name=short_name, kind=AgencyKind.YJS, email=email, latitude=latitude,
                         longitude=longitude)
        service.full_clean(validate_unique=False)
        service.save()
        manager = User.objects.create_superuser(manager_username, manager_email, manager_password, agency=service,
                                                role=UserRole.MANAGER)
        added = secure_estate_install()
        audit_record(actor=None, action="agency.service_created",
                     detail={"service": service.name, "manager": manager.username})
        return NewService(service, manager, len(added))
