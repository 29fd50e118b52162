"""The mapping between a child in the database and a flat cohort record (docs/cohort-format.md).

A record is a dict with one key per cohort field (``None`` = unknown). In the database the legal
history is split into episodes: a current *remand* episode and a current *sentence* episode. The
mapping is deterministic both ways, so exporting what was imported gives the same record.
"""

from __future__ import annotations

from typing import Any

from panels.cohort import FIELDS
from panels.enums import REMAND_SENTENCE_TYPES, EpisodeKind
from panels.models import Child, LegalEpisode

CHILD_FIELDS = (
    "given_name", "family_name", "preferred_name", "date_of_birth", "gender", "legal_status", "looked_after",
    "ehcp", "school_age", "rosh", "mappa_category", "mappa_level", "mappa_referred_on", "victims",
    "transfer_decision", "transfer_date",
    # cohort format v2
    "ipm_held_on", "remand_planning_held_on", "first_planning_held_on", "penultimate_held_on", "final_review_held_on",
    "post_release_review_held_on", "transition_meeting_held_on", "ete_interview_on", "release_address_status",
    "ethnicity",
)
SENTENCE_ONLY = (
    "sentence_length_months", "release_date", "early_release_date", "actual_release_date", "order_end_date",
    "licence_end_date",
)
SHARED_CUSTODY = ("custody_entry_date", "establishment", "establishment_type")
EPISODE_FIELDS = (
    "sentence_type", "custody_entry_date", "sentence_length_months", "release_date", "early_release_date",
    "actual_release_date", "order_end_date", "licence_end_date", "establishment_type",
)
# Child text fields that the model stores as "" rather than NULL.
_BLANK_STRINGS = {"preferred_name"}


def flat_record(child: Any, remand: Any, sentence: Any, *, get=getattr, child_fields=CHILD_FIELDS) -> dict[str, Any]:
    """A cohort record from a child and its current remand and sentence episodes.

    Works on model instances (``get=getattr``) and on ``.values()`` rows (``get=dict.get``), so the
    rules engine can read the cohort without building model objects. Establishment and case manager
    are left to the caller (they need joins).
    """
    custody = sentence or remand
    record: dict[str, Any] = {"reference": get(child, "reference")}
    for name in child_fields:
        value = get(child, name)
        record[name] = (value or None) if name in _BLANK_STRINGS else value
    record["sentence_type"] = (get(sentence, "sentence_type") if sentence else None) or (
        get(remand, "sentence_type") if remand else None
    )
    record["remand_date"] = get(remand, "start_date") if remand else None
    record["sentence_date"] = get(sentence, "start_date") if sentence else None
    for name in SENTENCE_ONLY:
        record[name] = get(sentence, name) if sentence else None
    record["custody_entry_date"] = get(custody, "custody_entry_date") if custody else None
    record["establishment_type"] = get(custody, "establishment_type") if custody else None
    return record


def child_to_record(child: Child) -> dict[str, Any]:
    """The child as a cohort record. Expects ``child.current_episodes`` (see selectors) or loads them."""
    episodes = getattr(child, "current_episodes", None)
    if episodes is None:
        episodes = list(child.episodes.filter(is_current=True).select_related("establishment"))
    by_kind = {e.kind: e for e in episodes}
    remand, sentence = by_kind.get(EpisodeKind.REMAND), by_kind.get(EpisodeKind.SENTENCE)
    record = flat_record(child, remand, sentence)
    custody = sentence or remand
    record["establishment"] = custody.establishment.name if custody and custody.establishment else None
    record["case_manager_email"] = child.case_manager.email if child.case_manager else None
    return {spec.name: record.get(spec.name) for spec in FIELDS}


def desired_episodes(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The current episodes a record describes, by kind, as field dicts (establishment as a name)."""
    sentence_type = record.get("sentence_type")
    remand_type = sentence_type if sentence_type in REMAND_SENTENCE_TYPES else None
    sentence_only_type = sentence_type if sentence_type and not remand_type else None
    episodes: dict[str, dict[str, Any]] = {}
    if record.get("remand_date") or remand_type:
        episodes[EpisodeKind.REMAND] = {"start_date": record.get("remand_date"), "sentence_type": remand_type}
    if record.get("sentence_date") or sentence_only_type or any(record.get(n) for n in SENTENCE_ONLY):
        episodes[EpisodeKind.SENTENCE] = {
            "start_date": record.get("sentence_date"),
            "sentence_type": sentence_only_type,
            **{n: record.get(n) for n in SENTENCE_ONLY},
        }
    if any(record.get(n) for n in SHARED_CUSTODY):
        holder = episodes.get(EpisodeKind.SENTENCE) or episodes.get(EpisodeKind.REMAND)
        if holder is None:
            holder = episodes[EpisodeKind.SENTENCE] = {"start_date": None, "sentence_type": None}
        for name in SHARED_CUSTODY:
            holder[name] = record.get(name)
    return episodes


def episode_values(spec: dict[str, Any], establishments_by_name: dict[str, Any]) -> dict[str, Any]:
    """Model field values for an episode spec, resolving the establishment name to an agency."""
    values = {name: spec.get(name) for name in ("start_date", *EPISODE_FIELDS)}
    name = spec.get("establishment")
    values["establishment"] = establishments_by_name[name.casefold()] if name else None
    return values


def episode_matches(episode: LegalEpisode, values: dict[str, Any]) -> bool:
    return all(getattr(episode, k) == v for k, v in values.items())
