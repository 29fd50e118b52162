"""The child's resettlement record, as rules (pure: plain facts in, answers out; no ORM, no clock).

- Who of the child's network to suggest when inviting for the child (issue 16, point 5).
- The pathway presets and which pathways have nobody responsible before release (point 3).
- The youth-to-adult (Y2A) protocol flags (point 6).

Sources: Enfield YJS resettlement policy, appendix 1 (the 9-pathway plan and its rows); Camden YOS
resettlement guidance §2.2 (the 7 pathways) and its transitions protocol (appendix 7); domain.md R7, R27,
R34, R37 and §5 (who attends what).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from panels.enums import NetworkRole, PanelKind, PlanSetting, SentenceType, TransferDecision
from panels.keydates import add_months

# --- pathway presets -----------------------------------------------------------------------------------
# Enfield's plan template rows (appendix 1). Its policy text (§3.3) lists nine slightly different names
# ("families and finance", "benefit and debt"); the plan rows are what practitioners fill in, so they are
# the preset. Services rename them freely.
ENFIELD_9 = (
    "Accommodation",
    "Education, training and employment (including EHCP review)",
    "Health",
    "Substance misuse",
    "Family, carers and support",
    "Finances",
    "Transitions",
    "Not offending",
    "Lifestyle",
)
# Camden YOS resettlement guidance §2.2, "7 pathways to resettlement" (HMIP and the YJB also say seven).
CAMDEN_7 = (
    "Case management and transitions",
    "Accommodation",
    "Education, training and employment",
    "Health and mental health",
    "Substance misuse",
    "Family/carers",
    "Finance, benefits and debt",
)
PATHWAY_PRESETS: dict[str, tuple[str, ...]] = {"enfield_9": ENFIELD_9, "camden_7": CAMDEN_7}
PRESET_LABELS = {"enfield_9": "Enfield's 9 pathways", "camden_7": "Camden's 7 pathways"}

# The child's own words: Enfield's four key questions (§3.2).
FOUR_QUESTIONS = (
    ("who_are_you", "Who are you?"),
    ("who_do_you_want_to_be", "Who do you want to be?"),
    ("strengths_and_goals", "What are your strengths, interests and goals?"),
    ("how_will_you_get_there", "How are you going to get there?"),
)


# Who a plan document is for (minutes.plan_documents): the professionals see everything; the child and family get
# their own words, the goals, who and when, without the network's contact details or the Y2A protocol flags.
PLAN_AUDIENCES = {"full": "Full plan, for the network", "family": "For the child and their family"}


# --- the network: who to suggest when inviting -----------------------------------------------------------
class MeetingKind:
    """Hook for the child's statutory meetings (issue 16, point 2, built separately): the kinds that have
    an attendance expectation. Pass one of these as ``meeting_kind`` once child meetings exist."""

    INITIAL_PLANNING = "initial_planning"  # IPM: the SEN case manager attends when there is an EHCP (R7)
    POST_RELEASE_REVIEW = "post_release_review"  # the IRO attends if still looked after (R27)
    TRANSITION = "transition"  # 17y9m multi-agency transition meeting: probation attends (R34)


@dataclass(frozen=True)
class Suggestion:
    member_id: int
    reason: str


def _wanted_roles(*, looked_after: bool | None, ehcp: bool | None, panel_kind: str | None,
                  meeting_kind: str | None) -> dict[str, str]:
    wanted: dict[str, str] = {}
    if panel_kind == PanelKind.HIGH_RISK:
        wanted[NetworkRole.SOCIAL_WORKER] = "The social worker is expected at the High Risk Panel."
    if panel_kind == PanelKind.RESETTLEMENT and looked_after:
        wanted[NetworkRole.SOCIAL_WORKER] = "A looked-after child: children's social care is invited to the panel."
    if panel_kind == PanelKind.Y2A or meeting_kind == MeetingKind.TRANSITION:
        wanted[NetworkRole.PROBATION_OFFICER] = "The named probation officer attends the transition to adult services."
    if meeting_kind == MeetingKind.POST_RELEASE_REVIEW and looked_after:
        wanted[NetworkRole.IRO] = "A looked-after child: the IRO attends the post-release review."
    if meeting_kind == MeetingKind.INITIAL_PLANNING and ehcp:
        wanted[NetworkRole.SEN_CASE_MANAGER] = (
            "The child has an EHCP: the SEN case manager attends the planning meeting.")
    return wanted


def network_suggestions(members: Iterable[tuple[int, str]], *, looked_after: bool | None, ehcp: bool | None,
                        panel_kind: str | None = None, meeting_kind: str | None = None) -> list[Suggestion]:
    """The child's network members (id, role) to suggest inviting for a panel kind or a child meeting kind."""
    wanted = _wanted_roles(looked_after=looked_after, ehcp=ehcp, panel_kind=panel_kind, meeting_kind=meeting_kind)
    return [Suggestion(member_id, wanted[role]) for member_id, role in members if role in wanted]


# --- the plan: pathways with nobody responsible before release ------------------------------------------------
@dataclass(frozen=True)
class PlanRowFact:
    pathway_id: int
    setting: str
    has_owner: bool  # someone is named under "who will do it"
    by_when: date | None


def pathways_without_owner(pathways: Iterable[tuple[int, str]], rows: Iterable[PlanRowFact], *,
                           release_date: date | None, released: bool) -> list[str]:
    """Names of the pathways (in the given order) where nobody is responsible for anything before release.

    A pathway is covered by a row that names someone and is due by the release date, or by a custody row that
    names someone (custody work is before release by definition). Undated community rows do not count. Once the
    child is released the question no longer arises."""
    if released:
        return []
    covered: set[int] = set()
    for row in rows:
        if not row.has_owner:
            continue
        if row.setting == PlanSetting.CUSTODY or (
            row.by_when is not None and (release_date is None or row.by_when <= release_date)
        ):
            covered.add(row.pathway_id)
    return [name for pathway_id, name in pathways if pathway_id not in covered]


# --- youth to adult (Y2A) ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Flag:
    code: str
    text: str


def y2a_flags(record: dict[str, Any], *, transfer_reason: str, has_probation_officer: bool,
              today: date) -> list[Flag]:
    """The Y2A protocol flags for a child (a cohort record, see panels.records).

    Only a child who turns 18 before the order ends (or whose order end is unknown) is in the protocol. The
    exceptions to the presumption of transfer are flagged for the decision (Camden appendix 7, domain.md R37)."""
    dob = record.get("date_of_birth")
    if dob is None:
        return []
    eighteen = add_months(dob, 18 * 12)
    order_end = record.get("order_end_date") or record.get("licence_end_date")
    if order_end is not None and eighteen > order_end:
        return []
    decision = record.get("transfer_decision")
    flags: list[Flag] = []
    if decision == TransferDecision.RETAIN and not transfer_reason.strip():
        flags.append(Flag("retain_without_reason", "Retained in the youth justice service with no reason recorded."))
    if record.get("sentence_type") == SentenceType.REFERRAL_ORDER:
        flags.append(Flag("referral_order", "Referral order: excluded from the default transfer to probation."))
    if order_end is not None and add_months(order_end, -2) < eighteen <= order_end:
        flags.append(Flag("turns_18_late_in_order",
                          f"Turns 18 on {eighteen:%-d %B %Y}, in the last 2 months of the order: "
                          "an exception to the default transfer."))
    if (decision != TransferDecision.RETAIN and not has_probation_officer
            and today >= add_months(dob, 17 * 12 + 9)):
        flags.append(Flag("no_probation_officer",
                          "No named probation officer, and the child is 17 years 9 months or older."))
    return flags
