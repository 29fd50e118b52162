"""Benchmark: memory under the API fuzz (issue 14). The process's resident memory after N schemathesis cases
must stay within 20% of its size after start-up.

    .venv/bin/python bench/fuzz_rss.py [--cases 20000]

In one process: a throwaway database with a small service (a panel, a meeting with both children on a published
agenda, a referral), the coordinator signed in, the app's own OpenAPI schema read in-process (WSGI), then
``--cases`` generated requests spread over every operation (schemathesis strategies, fixed seed; positive and
negative input), the same way tests/security/test_api_contract.py drives them. RSS (``/proc/self/status``
VmRSS) is read after the warm-up (one round of every operation, the start-up figure) and after the run; the
ratio is printed. Results: docs/performance.md.
"""

from __future__ import annotations

import argparse
import gc
import time

from _setup import django_setup


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20_000)
    args = parser.parse_args()
    django_setup()
    import schemathesis
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import Client
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hsettings
    from schemathesis.config import SchemathesisConfig

    from agendas import services as agenda_services
    from panels.enums import AgencyKind, LegalStatus, MeetingStatus, MembershipRole, UserRole
    from tests.factories import (
        AgencyFactory,
        ChildFactory,
        EpisodeFactory,
        InviteeFactory,
        MeetingFactory,
        MembershipFactory,
        PanelFactory,
        UserFactory,
    )

    settings.ALLOWED_HOSTS = ["*"]
    settings.TWO_FACTOR_ENFORCED = False  # the coordinator would need a second factor: not what is measured
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # 4xx are the point; 5xx are counted
    service = AgencyFactory(name="Fuzz YJS", kind=AgencyKind.YJS)
    yoi = AgencyFactory(name="Fuzz YOI", kind=AgencyKind.SECURE_ESTATE, establishment_type="yoi")
    coordinator = UserFactory(username="fuzz-coordinator", agency=service, role=UserRole.COORDINATOR)
    chair = UserFactory(username="fuzz-chair", agency=service, role=UserRole.PRACTITIONER)
    panel = PanelFactory(service=service, name="Fuzz panel")
    MembershipFactory(panel=panel, user=chair, role=MembershipRole.CHAIR)
    meeting = MeetingFactory(panel=panel, status=MeetingStatus.SCHEDULED)
    InviteeFactory(meeting=meeting, user=UserFactory(username="fuzz-yoi", agency=yoi, role=UserRole.PARTNER))
    for n in range(2):
        child = ChildFactory(service=service, reference=f"FZ-{n:04d}", legal_status=LegalStatus.SENTENCED)
        EpisodeFactory(child=child, establishment=yoi, establishment_type="yoi")
        agenda_services.agenda_child_add(meeting=meeting, child=child, reason="Risk", actor=chair)
    agenda_services.agenda_publish(meeting=meeting, actor=chair)
    client = Client()
    client.force_login(coordinator)
    secret = "fuzzcsrfsecret0123456789abcdefgh"
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": secret}
    headers = {"X-CSRFToken": secret}

    config = SchemathesisConfig.from_dict({"seed": 20261203, "generation": {"database": "none"}})
    schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler(), config=config)
    operations = [result.ok() for result in schema.get_all_operations()]
    per_operation = max(1, args.cases // len(operations))
    calls = {"n": 0, "5xx": 0}

    def run(operation, examples: int) -> None:
        @given(operation.as_strategy())
        @hsettings(max_examples=examples, deadline=None, derandomize=True, database=None,
                   suppress_health_check=list(HealthCheck))
        def one(case):
            response = case.call(headers=headers, cookies=cookies)
            calls["n"] += 1
            calls["5xx"] += response.status_code >= 500

        one()

    for operation in operations:  # warm-up: every operation once, so start-up means "everything imported"
        run(operation, 5)
    gc.collect()
    start, started = rss_mb(), time.monotonic()
    print(f"RSS after start-up (warm-up of {calls['n']} cases): {start:.1f} MB", flush=True)
    warm = calls["n"]
    for operation in operations:
        run(operation, per_operation)
        print(f"  {calls['n'] - warm} cases, RSS {rss_mb():.1f} MB ({operation.method.upper()} {operation.path})",
              flush=True)
    gc.collect()
    end = rss_mb()
    print(f"operations: {len(operations)}; cases after warm-up: {calls['n'] - warm} "
          f"({per_operation} asked per operation; hypothesis stops early where the input space is small); "
          f"5xx: {calls['5xx']}; {time.monotonic() - started:.0f} s")
    print(f"RSS after start-up: {start:.1f} MB; after the run: {end:.1f} MB; ratio {end / start:.3f}")


if __name__ == "__main__":
    main()
