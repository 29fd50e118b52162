"""A realistic, entirely fictional youth justice service for demos and end-to-end tests.

Dates are placed around "today" so that every panel has work. Children are written through the real
cohort import, so the demo data obeys docs/cohort-format.md. Running it again adds nothing that exists.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from panels.cohort_import import FIELD_NAMES, cohort_import_create, cohort_import_process
from panels.enums import AgencyKind, MeetingStatus, MembershipRole, PanelKind, UserRole
from panels.models import Agency, Child, CohortImport, Meeting, Panel, PanelMembership, User
from panels.provisioning import secure_estate_install
from panels.services import invitees_sync_from_memberships, meetings_generate

DEMO_PASSWORD = "convene-demo-2026"
# Two-factor for the demo: every demo user whose role requires it gets an authenticator device with this published,
# fictional key (the RFC 6238 test key), so a newcomer can sign in: `manage.py demo_totp` prints the current code,
# or add DEMO_TOTP_SECRET to any authenticator app. Never for real accounts.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"
DEMO_TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # the same key in base32, as apps ask for it
SERVICE = "Northbridge Youth Justice Service"

AGENCIES = [
    (SERVICE, "Northbridge YJS", AgencyKind.YJS, ""),
    ("HMYOI Larkhollow", "Larkhollow", AgencyKind.SECURE_ESTATE, "yoi"),
    ("Fenmoor Secure Training Centre", "Fenmoor", AgencyKind.SECURE_ESTATE, "stc"),
    ("Ashgrove Secure Children's Home", "Ashgrove", AgencyKind.SECURE_ESTATE, "sch"),
    ("Probation Service, Northbridge", "Probation", AgencyKind.PROBATION, ""),
    ("Northbridge Police", "Police", AgencyKind.POLICE, ""),
    ("Northbridge Children's Social Care", "Social care", AgencyKind.SOCIAL_CARE, ""),
    ("Northbridge Education Inclusion Service", "Education", AgencyKind.EDUCATION, ""),
    ("Northbridge CAMHS", "CAMHS", AgencyKind.HEALTH, ""),
    ("Northbridge Housing Options", "Housing", AgencyKind.HOUSING, ""),
    ("Northbridge Victim Services", "Victim services", AgencyKind.VICTIM_SERVICES, ""),
    ("Second Chances Mentoring", "Mentoring", AgencyKind.VOLUNTARY, ""),
]
# Made-up places for the fictional service (a Midlands town) and its establishments, about 28, 75 and 123 miles
# away: the distance-from-home figures show each of HMIP's bands.
DEMO_LOCATIONS = {"Northbridge YJS": ("52.80", "-1.64"), "Larkhollow": ("53.15", "-1.30"),
                  "Fenmoor": ("52.55", "0.10"), "Ashgrove": ("51.20", "-2.90")}

# username, first, last, agency short name, role, job title
USERS = [
    ("head", "Joanna", "Pemberton", "Northbridge YJS", UserRole.MANAGER, "Head of youth justice service"),
    ("chair", "Helen", "Ashdown", "Northbridge YJS", UserRole.MANAGER, "Operations manager"),
    ("chair2", "Marcus", "Tenley", "Northbridge YJS", UserRole.MANAGER, "Team manager"),
    ("coordinator", "Priya", "Colebrook", "Northbridge YJS", UserRole.COORDINATOR, "Panel coordinator"),
    ("casemanager", "Daniel", "Orchard", "Northbridge YJS", UserRole.CASE_MANAGER, "Case manager"),
    ("casemanager2", "Aisha", "Wendover", "Northbridge YJS", UserRole.CASE_MANAGER, "Case manager"),
    ("casemanager3", "Tom", "Bellingham", "Northbridge YJS", UserRole.CASE_MANAGER, "Case manager"),
    ("casemanager4", "Grace", "Millward", "Northbridge YJS", UserRole.CASE_MANAGER, "Case manager"),
    ("resettlement", "Owen", "Paddock", "Northbridge YJS", UserRole.PRACTITIONER, "Resettlement worker"),
    ("infoofficer", "Rosa", "Kettering", "Northbridge YJS", UserRole.PRACTITIONER, "Information officer"),
    ("yoi", "Gareth", "Stainby", "Larkhollow", UserRole.PARTNER, "Head of resettlement"),
    ("yoi2", "Leah", "Brambury", "Larkhollow", UserRole.PARTNER, "Safeguarding lead"),
    ("stc", "Nadim", "Corrigan", "Fenmoor", UserRole.PARTNER, "Casework manager"),
    ("sch", "Ellen", "Maythorpe", "Ashgrove", UserRole.PARTNER, "Registered manager"),
    ("probation", "Sam", "Hartigan", "Probation", UserRole.PARTNER, "Seconded probation officer"),
    ("probation2", "Judith", "Fairley", "Probation", UserRole.PARTNER, "Offender manager"),
    ("police", "Ravi", "Dunmore", "Police", UserRole.PARTNER, "Youth offending police officer"),
    ("police2", "Kate", "Ellerby", "Police", UserRole.PARTNER, "Gangs intelligence officer"),
    ("socialcare", "Ben", "Oakridge", "Social care", UserRole.PARTNER, "Social worker"),
    ("iro", "Maria", "Thistlewood", "Social care", UserRole.PARTNER, "Independent reviewing officer"),
    ("education", "Joy", "Castleford", "Education", UserRole.PARTNER, "Virtual school advisory teacher"),
    ("health", "Imran", "Selwood", "CAMHS", UserRole.PARTNER, "Clinical psychologist"),
    ("housing", "Lucy", "Penrose", "Housing", UserRole.PARTNER, "Housing options officer"),
    ("victims", "Adam", "Greyfield", "Victim services", UserRole.PARTNER, "Victim liaison officer"),
    ("mentor", "Chloe", "Ashby", "Mentoring", UserRole.PARTNER, "Mentoring coordinator"),
    ("outsider", "Neil", "Uptown", "Mentoring", UserRole.PARTNER, "Volunteer (no panels)"),
]

# name, kind, cadence, time, location, chair, members (username, role)
PANELS = [
    ("High Risk Panel", PanelKind.HIGH_RISK, "FREQ=MONTHLY;BYDAY=+1TH", "10:00", "Northbridge YJS, Room 2",
     "chair", ["coordinator", "casemanager", "casemanager2", "police", "probation", "victims", "yoi"]),
    ("Education Panel", PanelKind.EDUCATION, "FREQ=MONTHLY;BYDAY=+2TU", "13:30", "Civic Centre, Room 4",
     "chair2", ["coordinator", "education", "casemanager3", "sch", "stc"]),
    ("Y2A Transitions Panel", PanelKind.Y2A, "FREQ=MONTHLY;BYDAY=+3WE", "14:00", "Northbridge YJS, Room 1",
     "chair2", ["coordinator", "probation", "probation2", "infoofficer", "casemanager"]),
    ("Resettlement Support Panel", PanelKind.RESETTLEMENT, "FREQ=MONTHLY;BYDAY=+1TU", "10:00",
     "Northbridge YJS, Room 2", "chair",
     ["coordinator", "resettlement", "housing", "socialcare", "iro", "health", "education", "yoi", "stc", "sch",
      "mentor", "casemanager4"]),
    ("MAPPA Liaison Meeting", PanelKind.MAPPA, "FREQ=MONTHLY;BYDAY=-1FR", "11:00", "Police HQ, Meeting Room B",
     "chair", ["coordinator", "police", "police2", "probation", "victims"]),
]

GIVEN = ["Zane", "Amara", "Tobi", "Lewis", "Ruby", "Marcus", "Sami", "Connor", "Elijah", "Nadia", "Jamal", "Owen",
         "Priya", "Kai", "Leon", "Tyler", "Mason", "Jayden", "Chantelle", "Reece", "Demi", "Callum", "Aaliyah",
         "Kian", "Ellis", "Tia", "Rhys", "Jordan", "Skye", "Harvey"]
FAMILY = ["Merriwick", "Quillfield", "Harrowgate", "Penhallow", "Okonkwo-Dane", "Veldt", "Ardeley", "Blythewood",
          "Stroud-Amin", "Ferncastle", "Tenbury", "Caddick-Rowe", "Linfield", "Ashcombe", "Brackenridge",
          "Dunwoody", "Elmstead", "Farrowdale", "Gillingham-Frost", "Holloway-Reed", "Inchmore", "Jessop-Vale",
          "Kestrelton", "Lowensby", "Marchbank", "Northwold", "Oakhanger", "Pellinore", "Quarrendon", "Rookwood"]
ESTABLISHMENTS = [("HMYOI Larkhollow", "yoi"), ("Fenmoor Secure Training Centre", "stc"),
                  ("Ashgrove Secure Children's Home", "sch")]


@dataclass
class DemoSummary:
    agencies: int
    users: int
    panels: int
    children_added: int
    meetings: int


def _months(day: date, n: int) -> date:
    return day + relativedelta(months=n)


def demo_children(today: date, case_managers: list[str], count: int = 60) -> list[dict[str, str]]:
    """Cohort rows for ``count`` fictional children with dates around ``today`` (deterministic per day)."""
    rng = random.Random(20261122)
    rows = []
    history = random.Random(17_2026)  # its own generator: the fields above stay as they were
    plan = ["remand"] * 9 + ["sentenced"] * 22 + ["released"] * 10 + ["community"] * 15 + ["closed"] * 4
    for i in range(count):
        kind = plan[i % len(plan)]
        given, family = GIVEN[i % len(GIVEN)], FAMILY[(i * 7 + i // len(GIVEN)) % len(FAMILY)]
        # ages 13–17¾, with a good share near 17 so the Y2A panel has work
        age_days = rng.randint(13 * 365, 17 * 365 + 300) if i % 3 else rng.randint(16 * 365 + 250, 17 * 365 + 330)
        dob = today - timedelta(days=age_days)
        row = {name: "" for name in FIELD_NAMES}
        row.update({
            "reference": f"NB-{1001 + i}", "given_name": given, "family_name": family,
            "date_of_birth": dob.isoformat(), "gender": rng.choice(["male"] * 5 + ["female"]),
            "legal_status": kind, "looked_after": rng.choice(["true", "false", "false", ""]),
            "ehcp": rng.choice(["true", "false", "false"]),
            "rosh": rng.choice(["low", "medium", "medium", "high", "very_high"]),
            "case_manager_email": case_managers[i % len(case_managers)],
        })
        establishment, est_type = ESTABLISHMENTS[i % 3]
        if kind == "remand":
            remand = today - timedelta(days=rng.randint(1, 70))
            row.update({"remand_date": remand.isoformat(), "sentence_type": rng.choice(["remand_yda", "remand_yda",
                        "remand_la"])})
            if row["sentence_type"] == "remand_yda":
                row.update({"establishment": establishment, "establishment_type": est_type})
        elif kind in ("sentenced", "released"):
            length = rng.choice([4, 6, 8, 10, 12, 12, 18, 24])
            if kind == "sentenced":
                sentence = today - timedelta(days=rng.randint(5, max(6, length * 15 - 20)))
            else:
                sentence = _months(today, -(length // 2)) - timedelta(days=rng.randint(3, 60))
            release = _months(sentence, length // 2)
            row.update({
                "sentence_type": "dto", "sentence_date": sentence.isoformat(), "sentence_length_months": str(length),
                "release_date": release.isoformat(), "order_end_date": _months(sentence, length).isoformat(),
                "establishment": establishment, "establishment_type": est_type,
            })
            if kind == "sentenced" and length >= 8 and rng.random() < 0.35:
                row["early_release_date"] = _months(release, -1).isoformat()
            if kind == "released":
                row["actual_release_date"] = min(release, today - timedelta(days=rng.randint(1, 40))).isoformat()
                if row["actual_release_date"] < row["sentence_date"]:
                    row["actual_release_date"] = row["sentence_date"]
            if length >= 12 and rng.random() < 0.5:
                row.update({"mappa_category": "2", "mappa_level": rng.choice(["1", "2", "2", "3"])})
            if length >= 12:
                row["victims"] = "true"
        elif kind == "community":
            sentence = today - timedelta(days=rng.randint(20, 300))
            row.update({"legal_status": "community", "sentence_type": rng.choice(["yro", "referral_order"]),
                        "sentence_date": sentence.isoformat(),
                        "order_end_date": _months(sentence, rng.choice([6, 12, 18, 24])).isoformat()})
        else:
            row["legal_status"] = "closed"
        _statutory_history(row, history, today)
        turns_18 = _months(dob, 216)
        end = row["order_end_date"] or row["licence_end_date"]
        if end and turns_18.isoformat() <= end:
            row["transfer_decision"] = rng.choice(["transfer", "undecided", "retain"])
        rows.append(row)
    return rows


def _statutory_history(row: dict[str, str], rng: random.Random, today: date) -> None:
    """Ethnicity, and for a custodial sentence the statutory meetings held (mostly on time, some late, a few
    never): what the oversight reports count (issue 17)."""
    row["ethnicity"] = rng.choice(["white", "white", "white", "black", "mixed", "asian", "other", "not_stated", ""])
    if not row["sentence_date"] or row["sentence_type"] != "dto":
        return

    def held(start: str, days: tuple[int, int]) -> str:
        day = date.fromisoformat(start) + timedelta(days=rng.randint(*days))
        return day.isoformat() if day <= today and rng.random() < 0.85 else ""

    row["ipm_held_on"] = held(row["sentence_date"], (3, 24))
    row["first_planning_held_on"] = held(row["sentence_date"], (14, 40))
    if row["actual_release_date"]:
        row["post_release_review_held_on"] = held(row["actual_release_date"], (10, 40))
        row["ete_interview_on"] = held(row["actual_release_date"], (3, 20))


def late_arrivals(today: date, case_managers: list[str]) -> list[dict[str, str]]:
    """Children recorded only this week (transferred in, or a sentence just notified): some of their
    deadlines have already passed, so the next agendas show them LATE, as happens in real life."""
    d = lambda days: (today + timedelta(days=days)).isoformat()  # noqa: E731
    base = {name: "" for name in FIELD_NAMES}
    profiles = [
        # sentenced 10 weeks ago, release in 4 weeks: the six-week reviews are overdue, and there is no release
        # address four weeks before release (RS_ACCOMMODATION late: due a month before release)
        {"legal_status": "sentenced", "sentence_type": "dto", "sentence_date": d(-70), "release_date": d(28),
         "sentence_length_months": "4", "order_end_date": d(90), "establishment": ESTABLISHMENTS[0][0],
         "establishment_type": "yoi", "rosh": "high", "date_of_birth": d(-16 * 365 - 40),
         "release_address_status": "none"},
        {"legal_status": "sentenced", "sentence_type": "dto", "sentence_date": d(-120), "release_date": d(40),
         "early_release_date": d(20), "sentence_length_months": "10", "order_end_date": d(180),
         "establishment": ESTABLISHMENTS[1][0], "establishment_type": "stc", "date_of_birth": d(-15 * 365)},
        # remanded three weeks ago: the remand planning meeting is overdue
        {"legal_status": "remand", "sentence_type": "remand_yda", "remand_date": d(-21),
         "establishment": ESTABLISHMENTS[2][0], "establishment_type": "sch", "date_of_birth": d(-14 * 365 - 100)},
        # a long sentence notified late: the MAPPA referral point has passed
        {"legal_status": "sentenced", "sentence_type": "s250", "sentence_date": d(-200), "release_date": d(150),
         "sentence_length_months": "24", "order_end_date": d(500), "mappa_category": "2", "mappa_level": "2",
         "establishment": ESTABLISHMENTS[0][0], "establishment_type": "yoi", "victims": "true",
         "date_of_birth": d(-17 * 365 - 200), "transfer_decision": "undecided"},
        # 17¾ already, turning 18 during the order: transition meeting overdue
        {"legal_status": "community", "sentence_type": "yro", "sentence_date": d(-60), "order_end_date": d(300),
         "date_of_birth": d(-(17 * 365 + 290)), "transfer_decision": "transfer"},
        # released last month: the post-release review is overdue
        {"legal_status": "released", "sentence_type": "dto", "sentence_date": d(-150), "release_date": d(-32),
         "actual_release_date": d(-32), "sentence_length_months": "8", "order_end_date": d(90),
         "establishment": ESTABLISHMENTS[1][0], "establishment_type": "stc", "date_of_birth": d(-16 * 365 - 9)},
    ]
    rows = []
    for i, profile in enumerate(profiles):
        rows.append({
            **base, "reference": f"NB-{2001 + i}", "given_name": GIVEN[-1 - i], "family_name": FAMILY[-1 - i],
            "gender": "male" if i % 3 else "female", "case_manager_email": case_managers[i % len(case_managers)],
            **profile,
        })
    return rows


def _csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELD_NAMES, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _case_managers(users: dict[str, User]) -> list[str]:
    return [users[u].email for u in ("casemanager", "casemanager2", "casemanager3", "casemanager4")]


def _import_new(service: Agency, actor: User, rows: list[dict[str, str]], *, today: date, filename: str) -> int:
    existing = set(Child.objects.filter(service=service).values_list("reference", flat=True))
    rows = [r for r in rows if r["reference"] not in existing]
    if not rows:
        return 0
    job = cohort_import_process(job=cohort_import_create(service=service, actor=actor, text=_csv(rows),
                                                         filename=filename), today=today)
    if job.status != CohortImport.Status.APPLIED:
        raise RuntimeError(f"demo cohort rejected: {job.problems[:3]}")
    return job.created_count


def seed_demo_late_arrivals(*, today: date | None = None) -> int:
    """Import the children recorded this week (after the demo's past meetings were held)."""
    today = today or timezone.localdate()
    service = Agency.objects.get(name=SERVICE)
    users = {u.username: u for u in User.objects.filter(username__in=["coordinator", "casemanager", "casemanager2",
                                                                       "casemanager3", "casemanager4"])}
    return _import_new(service, users["coordinator"], late_arrivals(today, _case_managers(users)), today=today,
                       filename="transfers-in.csv")


def seed_demo_two_factor() -> list[str]:
    """Give each demo user who must use two-factor (and the site admin) the demo authenticator device."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from panels.twofactor import user_requires_two_factor

    names = []
    demo_users = User.objects.filter(username__in=[u[0] for u in USERS] + ["admin"]).select_related("agency")
    for user in demo_users:
        if user.is_superuser or user_requires_two_factor(user):
            TOTPDevice.objects.get_or_create(user=user, name="Demo authenticator",
                                             defaults={"key": DEMO_TOTP_KEY, "confirmed": True})
            names.append(user.username)
    return sorted(names)


def seed_demo(*, today: date | None = None, children: int = 60) -> DemoSummary:
    today = today or timezone.localdate()
    with transaction.atomic():
        agencies = {}
        for name, short, kind, est in AGENCIES:
            agency, _ = Agency.objects.get_or_create(
                name=name, defaults={"short_name": short, "kind": kind, "establishment_type": est,
                                     "email": f"{short.lower().replace(' ', '.')}@agencies.example"},
            )
            location = DEMO_LOCATIONS.get(short)
            if location and agency.latitude is None:
                agency.latitude, agency.longitude = (Decimal(v) for v in location)
                agency.save(update_fields=["latitude", "longitude"])
            agencies[short] = agency
        service = agencies["Northbridge YJS"]
        users = {}
        # one argon2 hash for every demo login (they share one published password): 26 hashes took half a minute
        demo_hash = make_password(DEMO_PASSWORD)
        for username, first, last, agency, role, title in USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                domain = agencies[agency].short_name.lower().replace(" ", "")
                user = User(username=username, first_name=first, last_name=last, agency=agencies[agency],
                            role=role, job_title=title, email=f"{username}@{domain}.example")
                user.password = demo_hash
                user.save()
            users[username] = user
        for username in ("casemanager", "casemanager2", "casemanager3", "casemanager4", "resettlement"):
            if users[username].line_manager_id is None:
                users[username].line_manager = users["chair"]
                users[username].save(update_fields=["line_manager"])
        if not User.objects.filter(username="admin").exists():
            admin = User.objects.create_superuser("admin", "admin@convene.example", None, agency=service,
                                                  role=UserRole.MANAGER, first_name="Site", last_name="Administrator")
            admin.password = demo_hash
            admin.save(update_fields=["password"])
        panels = []
        for name, kind, cadence, start, location, chair, members in PANELS:
            panel, _ = Panel.objects.get_or_create(
                service=service, name=name,
                defaults={"kind": kind, "cadence": cadence, "start_time": time.fromisoformat(start),
                          "location": location,
                          "video_link": "https://video.convene.example/" + kind.replace("_", "-"),
                          "mailbox": "panels@northbridge-yjs.example"},
            )
            if panel.strategic_lead_id is None:  # who missed timescales and stuck actions escalate to
                panel.strategic_lead = users["head"]
                panel.save(update_fields=["strategic_lead"])
            PanelMembership.objects.get_or_create(
                panel=panel, user=users[chair], defaults={"role": MembershipRole.CHAIR}
            )
            for username in members:
                role = MembershipRole.COORDINATOR if username == "coordinator" else (
                    MembershipRole.MEMBER if users[username].agency_id == service.pk else MembershipRole.PARTNER
                )
                PanelMembership.objects.get_or_create(panel=panel, user=users[username], defaults={"role": role})
            panels.append(panel)

    secure_estate_install()  # like a new service (create_service): the real establishments, beside the demo's own
    # Children go through the real import (its own transaction), so demo data obeys the format.
    added = _import_new(service, users["coordinator"], demo_children(today, _case_managers(users), children),
                        today=today, filename="demo-cohort.csv")

    with transaction.atomic():
        for panel in panels:
            meetings_generate(panel=panel, start=_months(today, -3), end=_months(today, 6))
            for meeting in panel.meetings.all():
                invitees_sync_from_memberships(meeting=meeting)
            upcoming = panel.meetings.filter(starts_at__gte=timezone.now()).order_by("starts_at")
            first_two = list(upcoming.values_list("pk", flat=True)[:2])
            Meeting.objects.filter(pk__in=first_two, status=MeetingStatus.DRAFT).update(status=MeetingStatus.SCHEDULED)
    seed_demo_resettlement(service=service, users=users, today=today)
    seed_demo_child_meetings(service=service, users=users, today=today)
    seed_demo_release(service=service, users=users, today=today)
    seed_demo_two_factor()
    return DemoSummary(
        agencies=Agency.objects.count(), users=User.objects.count(), panels=len(panels), children_added=added,
        meetings=Meeting.objects.count(),
    )


PARENTS = ["Denise", "Paul", "Sharon", "Michael", "Yvonne", "Andre"]  # fictional parents and carers


def seed_demo_resettlement(*, service: Agency, users: dict[str, User], today: date) -> None:
    """Enfield's 9 pathways; for a few children in custody a network (fictional people), a plan with one pathway
    left empty, the child's own words; a retained Y2A case with its reason. Adds nothing twice."""
    from panels import record_services
    from panels.enums import LegalStatus, NetworkRole, TransferDecision
    from panels.models import ChildResettlement, Pathway

    actor = users["coordinator"]
    if not Pathway.objects.filter(service=service).exists():
        record_services.pathways_apply_preset(service=service, preset="enfield_9", actor=actor)
    pathways = list(Pathway.objects.filter(service=service, is_active=True).order_by("position"))
    children = list(Child.objects.filter(service=service, legal_status=LegalStatus.SENTENCED).order_by("reference")[:6])
    with transaction.atomic():
        for index, child in enumerate(children):
            if child.network.exists():
                continue
            parent = record_services.network_member_add(
                child=child, actor=actor, role=NetworkRole.PARENT_CARER,
                name=f"{PARENTS[index % len(PARENTS)]} {child.family_name}",
                email=f"parent{index + 1}@home.example")
            worker = record_services.network_member_add(child=child, actor=actor, role=NetworkRole.SOCIAL_WORKER,
                                                        user=users["socialcare"])
            if child.looked_after:
                record_services.network_member_add(child=child, actor=actor, role=NetworkRole.IRO, user=users["iro"])
            if index % 2 == 0:
                record_services.network_member_add(child=child, actor=actor, role=NetworkRole.PROBATION_OFFICER,
                                                   user=users["probation2"])
            record_services.network_member_add(child=child, actor=actor, role=NetworkRole.MENTOR,
                                               user=users["mentor"])
            # every pathway but the last has someone responsible in custody: the last is flagged
            for number, pathway in enumerate(pathways[:-1]):
                record_services.plan_row_save(
                    child=child, actor=actor, pathway=pathway, setting="custody",
                    goal=f"{pathway.name}: agree the next step with {child.preferred_name or child.given_name}",
                    who_member=worker if number % 3 == 0 else parent if number % 3 == 1 else None,
                    who_user=users["resettlement"] if number % 3 == 2 else None,
                    by_when=today + timedelta(days=14 + 7 * number))
            record_services.child_words_set(
                child=child, actor=actor, who_are_you="Someone who is good with my hands and looks after my cousins.",
                who_do_you_want_to_be="A mechanic with my own place.",
                strengths_and_goals="Football, fixing bikes. Get my Level 1 in English.",
                how_will_you_get_there="College when I get out, and keep away from the estate at night.")
        retained = Child.objects.filter(service=service, transfer_decision=TransferDecision.RETAIN).order_by(
            "reference").first()
        if retained is not None and not ChildResettlement.objects.filter(
                child=retained).exclude(transfer_reason="").exists():
            record_services.transfer_decision_set(
                child=retained, actor=actor, decision=TransferDecision.RETAIN,
                reason="Turns 18 in the last 2 months of the order; a strong relationship with the case manager.")


def seed_demo_child_meetings(*, service: Agency, users: dict[str, User], today: date) -> None:
    """Statutory meetings (issue 16, point 2) for the children with a network: an initial planning meeting held a
    month ago (it sets ``ipm_held_on``), a penultimate meeting planned at the establishment in ten days and a
    review by video in three weeks, each inviting the suggested network and the case manager. Adds nothing twice."""
    from datetime import datetime

    from panels import child_meeting_services
    from panels.child_meetings import suggestions
    from panels.enums import ChildMeetingKind
    from panels.models import ChildMeeting, NetworkMember

    zone = timezone.get_current_timezone()
    children = list(Child.objects.filter(service=service, network__isnull=False).distinct().order_by("reference")[:3])
    for child in children:
        if ChildMeeting.objects.filter(child=child).exists():
            continue
        actor = child.case_manager or users["coordinator"]
        members = list(NetworkMember.objects.filter(child=child).select_related("user"))
        staff = [child.case_manager] if child.case_manager else []

        def invited(kind: str, members=members, child=child) -> list[NetworkMember]:
            wanted = {s.member_id for s in suggestions([(m.pk, m.role) for m in members], kind=kind,
                                                       looked_after=child.looked_after, ehcp=child.ehcp)}
            return [m for m in members if m.pk in wanted]

        def plan(kind: str, day: date, hour: int, place: str, location: str = "", video: str = "",
                 actor=actor, child=child, staff=staff, invited=invited):
            starts = timezone.make_aware(datetime.combine(day, time(hour, 0)), zone)
            return child_meeting_services.child_meeting_plan(
                child=child, actor=actor, kind=kind, starts_at=starts, ends_at=starts + timedelta(hours=1),
                place=place, location=location, video_link=video, members=invited(kind), staff=staff)

        def weekday(day: date) -> date:
            return day + timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)

        held_day = weekday(today - timedelta(days=32))
        ipm = plan(ChildMeetingKind.INITIAL_PLANNING, held_day, 10, "establishment", "Legal visits suite")
        child_meeting_services.child_meeting_record_held(
            meeting=ipm, actor=actor, held_on=held_day, child_attended=True, family_attended=True,
            attended=[p.pk for p in ipm.participants.all()],
            outcome="Sentence plan agreed. Education assessment booked; family visits every fortnight.")
        plan(ChildMeetingKind.PENULTIMATE, weekday(today + timedelta(days=10)), 14, "establishment",
             "Legal visits suite")
        plan(ChildMeetingKind.REVIEW, weekday(today + timedelta(days=21)), 11, "video",
             video="https://video.convene.example/review")
def seed_demo_release(*, service: Agency, users: dict[str, User], today: date) -> None:
    """Release addresses and ETE (issue 16, point 4) for the children awaiting release soonest: one proposed, then
    assessed and confirmed; one proposed that fell through and a new one proposed; one only proposed; the ETE
    planned for each, and an interview recorded for one child already released. Fictional places only. Adds
    nothing twice. (The late arrival NB-2001 has no address four weeks before release: see ``late_arrivals``.)"""
    from panels import release_services
    from panels.enums import AddressKind, EteKind, LegalStatus
    from panels.models import ReleaseAddressChange
    from panels.selectors import children_with_episodes

    if ReleaseAddressChange.objects.filter(child__service=service, source=ReleaseAddressChange.Source.PAGE).exists():
        return
    actor = users["casemanager"]
    d = lambda days: today + timedelta(days=days)  # noqa: E731
    awaiting = [c for c in children_with_episodes(Child.objects.filter(service=service,
                                                                        legal_status=LegalStatus.SENTENCED))
                if any(e.release_date and e.release_date > today and not e.actual_release_date
                       for e in c.current_episodes)]
    awaiting.sort(key=lambda c: min(e.release_date for e in c.current_episodes if e.release_date))
    histories = [
        [("proposed", -40, AddressKind.FAMILY_HOME, "Mother's flat, Northbridge", "", False),
         ("assessed", -25, AddressKind.FAMILY_HOME, "Mother's flat, Northbridge", "Home visit by the case manager.",
          False),
         ("confirmed", -10, AddressKind.FAMILY_HOME, "Mother's flat, Northbridge", "", False)],
        [("proposed", -35, AddressKind.RELATIVE_FRIEND, "Uncle's house, Eastfield", "", False),
         ("none", -20, "", "", "Not suitable: an exclusion zone on the licence covers the street.", True),
         ("proposed", -6, AddressKind.SUPPORTED, "Supported lodgings, Millbrook", "", False)],
        [("proposed", -12, AddressKind.FOSTER, "Foster placement, Northbridge", "", False)],
    ]
    ete = [(EteKind.EDUCATION, "Northbridge College", 16), (EteKind.TRAINING, "Eastfield Bike Works", 25),
           (EteKind.EMPLOYMENT, "Millbrook Garden Centre", 20)]
    with transaction.atomic():
        for child, history, (kind, provider, hours) in zip(awaiting, histories, ete, strict=False):
            for status, days, place, summary, note, fell_through in history:
                release_services.release_address_record(
                    child=child, actor=actor, status=status, on=d(days), today=today, kind=place, summary=summary,
                    note=note, fell_through=fell_through)
            release_services.release_ete_set(child=child, actor=actor, kind=kind, provider=provider,
                                             hours_per_week=hours)
        released = (Child.objects.filter(service=service, legal_status=LegalStatus.RELEASED, ete_interview_on=None)
                    .order_by("reference").first())
        if released is not None:
            release_services.release_ete_set(child=released, actor=actor, kind=EteKind.EDUCATION,
                                             provider="Northbridge College", hours_per_week=15,
                                             interview_on=today - timedelta(days=2))


def demo_logins_text() -> str:
    """The demo's logins and how to get past two-factor sign-in: what a newcomer needs, printed last by .ci/demo."""
    shown = {"chair": "panel chair", "coordinator": "coordinator (imports the cohort)",
             "casemanager": "case manager", "yoi": "secure-estate partner (YOI)",
             "probation": "probation partner", "outsider": "a user with no panels", "admin": "site admin"}
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {username:<14} {role}" for username, role in shown.items()]
    lines.append(f"  … and {len(USERS) - len(shown) + 1} more partner and staff users (see the admin).")
    lines += ["", "Managers, coordinators, chairs and admin also need a two-factor code after the password:",
              "  run `.venv/bin/python manage.py demo_totp` for the current code (each works once per user),",
              f"  or add the demo key {DEMO_TOTP_SECRET} to an authenticator app. Other users may set one up."]
    return "\n".join(lines)
