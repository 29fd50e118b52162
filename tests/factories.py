"""factory_boy factories: boring, explicit, fictional."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import factory
from django.utils import timezone

from panels.enums import AgencyKind, EpisodeKind, LegalStatus, MeetingStatus, MembershipRole, PanelKind, UserRole
from panels.models import Agency, Child, LegalEpisode, Meeting, MeetingInvitee, Panel, PanelMembership, User


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.YJS
    email = factory.Sequence(lambda n: f"agency{n}@agencies.example")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@people.example")
    agency = factory.SubFactory(AgencyFactory)
    role = UserRole.PRACTITIONER
    password = factory.django.Password("correct-horse-battery")


class PanelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Panel

    service = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Panel {n}")
    kind = PanelKind.HIGH_RISK
    cadence = "FREQ=MONTHLY;BYDAY=+1TH"
    location = "Room 2"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PanelMembership

    panel = factory.SubFactory(PanelFactory)
    user = factory.SubFactory(UserFactory)
    role = MembershipRole.MEMBER


def _start():
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=14), time(10, 0)))


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    panel = factory.SubFactory(PanelFactory)
    starts_at = factory.LazyFunction(_start)
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + timedelta(hours=2))
    status = MeetingStatus.SCHEDULED
    location = "Room 2"


class InviteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingInvitee

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)
    agency = factory.LazyAttribute(lambda i: i.user.agency)
    name = factory.LazyAttribute(lambda i: i.user.get_full_name())
    email = factory.LazyAttribute(lambda i: i.user.email)


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    service = factory.SubFactory(AgencyFactory)
    # from YJ-5000: tests name their own children YJ-0001 to YJ-0999 (the world fixture YJ-0001 and YJ-0002), and a
    # sequence from 0 handed those out again when such a test ran first in its process
    reference = factory.Sequence(lambda n: f"YJ-{5000 + n:04d}")
    given_name = "Fictional"
    family_name = factory.Sequence(lambda n: f"Child{n}")
    date_of_birth = date(2010, 3, 14)
    legal_status = LegalStatus.COMMUNITY


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalEpisode

    child = factory.SubFactory(ChildFactory)
    kind = EpisodeKind.SENTENCE
    start_date = date(2026, 9, 15)
