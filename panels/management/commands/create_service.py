"""python manage.py create_service NAME --manager USERNAME --manager-email EMAIL — a new service, no demo."""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from panels.provisioning import ServiceExists, secure_estate_install, service_create


class Command(BaseCommand):
    help = ("Create a youth justice service on a fresh install: the service, its first manager (who can use the "
            "admin) and the secure estate of England and Wales. With --secure-estate-only, add only the "
            "establishments that are missing.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", nargs="?", help='The service\'s name, e.g. "Anytown Youth Justice Service".')
        parser.add_argument("--short-name", default="", help="A short name (up to 40 characters).")
        parser.add_argument("--email", default="", help="The service's contact mailbox.")
        parser.add_argument("--manager", help="Username of the first manager.")
        parser.add_argument("--manager-email", help="Email address of the first manager.")
        parser.add_argument("--location", default="", metavar="LAT,LON",
                            help="Optional: a point in the service's area as latitude,longitude in decimal degrees "
                                 "(town level is enough, e.g. 53.80,-1.55 for Leeds). The oversight reports read "
                                 "it as the children's home to work out how far from home each child is held.")
        parser.add_argument("--secure-estate-only", action="store_true",
                            help="Only install the secure-estate establishments that do not exist yet.")

    def handle(self, *args, name, short_name, email, manager, manager_email, secure_estate_only, location,
               **options) -> None:
        if secure_estate_only:
            added = secure_estate_install()
            self.stdout.write(f"{len(added)} secure-estate establishment(s) added.")
            return
        problems = []
        if not name or not name.strip():
            problems.append("name: give the service's name.")
        elif len(name.strip()) > 200:
            problems.append("name: at most 200 characters.")
        if len(short_name) > 40:
            problems.append("--short-name: at most 40 characters.")
        if not manager:
            problems.append("--manager: give the first manager's username.")
        for option, value in (("--manager-email", manager_email), ("--email", email)):
            if option == "--manager-email" and not value:
                problems.append("--manager-email: give the first manager's email address.")
            elif value:
                try:
                    validate_email(value)
                except ValidationError:
                    problems.append(f"{option}: {value!r} is not an email address.")
        point = None
        if location:
            point = parse_location(location)
            if point is None:
                problems.append(f"--location: {location!r} is not latitude,longitude in decimal degrees "
                                "(latitude -90 to 90, longitude -180 to 180, at most 5 decimal places), "
                                "e.g. 53.80,-1.55.")
        if problems:
            raise CommandError("\n".join(problems))
        password = secrets.token_urlsafe(15)
        try:
            validate_password(password)
            created = service_create(name=name, short_name=short_name, email=email, manager_username=manager,
                                     manager_email=manager_email, manager_password=password, location=point)
        except (ServiceExists, ValidationError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Created {created.service.name} with {created.establishments_added} secure-estate establishment(s).\n"
            f"Sign in at {settings.SITE_URL}/ as {created.manager.username} with this one-time password:\n"
            f"  {password}\n"
            "then enrol two-factor authentication, change the password under your account, and add panels, "
            "people and partner agencies (the admin is at /admin/). Give each panel a strategic lead and each case "
            "manager a line manager: overdue actions and missed statutory timescales escalate to them."
        )


def parse_location(text: str) -> tuple[Decimal, Decimal] | None:
    """``"53.80,-1.55"`` as (latitude, longitude), or None when it is not a point on Earth in decimal degrees."""
    parts = text.split(",")
    if len(parts) != 2:
        return None
    try:
        latitude, longitude = (Decimal(part.strip()) for part in parts)
    except InvalidOperation:
        return None
    if not (latitude.is_finite() and longitude.is_finite()):
        return None
    if any(-value.as_tuple().exponent > 5 for value in (latitude, longitude)):  # type: ignore[operator]
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude
