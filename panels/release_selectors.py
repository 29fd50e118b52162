"""Reads for the release address and ETE on release (issue 16, point 4; docs/resettlement-record.md).

Callers reach the child through ``panels.selectors.child_get_for_user`` (need to know) first. ``release_view`` is
for the child's own pages and carries the address summary (shown only to those who may see the child's record);
``address_words_for_children`` is for agendas and the cockpit and says the status and its date in words, never
the address. The status on a date and the date confirmed, for escalation and reports, are
``panels.selectors.release_address_on`` and ``release_address_confirmed_on``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from panels.enums import ReleaseAddressStatus
from panels.models import Child, ReleaseAddressChange, ReleaseEte

HISTORY_SHOWN = 50  # the child page lists the latest changes; a longer history is summarised


@dataclass(frozen=True)
class ReleaseView:
    changes: list[ReleaseAddressChange]  # latest first
    more_changes: int
    confirmed_on: date | None
    ete: ReleaseEte | None

    @property
    def latest(self) -> ReleaseAddressChange | None:
        return self.changes[0] if self.changes else None


def release_view(*, child: Child) -> ReleaseView:
    """The address history (latest first) and the planned ETE. Three queries."""
    changes = list(ReleaseAddressChange.objects.filter(child=child).select_related("recorded_by")
                   .order_by("-on", "-id")[:HISTORY_SHOWN + 1])
    total = len(changes) if len(changes) <= HISTORY_SHOWN else ReleaseAddressChange.objects.filter(child=child).count()
    current = changes[0] if changes else None
    confirmed_on = current.on if current is not None and current.status == ReleaseAddressStatus.CONFIRMED else None
    return ReleaseView(changes=changes[:HISTORY_SHOWN], more_changes=max(total - HISTORY_SHOWN, 0),
                       confirmed_on=confirmed_on, ete=ReleaseEte.objects.filter(child=child).first())


def address_words(status: str | None, on: date | None, *, fell_through: bool = False) -> str:
    """The release-address status in words, with its date (never the address)."""
    when = f" on {on.day} {on:%B %Y}" if on else ""
    if status == ReleaseAddressStatus.CONFIRMED:
        return f"Release address confirmed{when}."
    if status == ReleaseAddressStatus.ASSESSED:
        return f"Release address assessed{when}, not yet confirmed."
    if status == ReleaseAddressStatus.PROPOSED:
        return f"Release address proposed{when}, not yet assessed or confirmed."
    if status == ReleaseAddressStatus.NONE:
        return f"No release address: the address fell through{when}." if fell_through else (
            f"No release address yet (recorded{when}).")
    return "Release address not recorded."


def address_words_for_children(child_ids: Iterable[int]) -> dict[int, str]:
    """Each child's present release-address status in words, from the latest change. One query."""
    latest: dict[int, tuple[str | None, date | None, bool]] = dict.fromkeys(child_ids, (None, None, False))
    for child_id, status, on, fell_through in (
            ReleaseAddressChange.objects.filter(child_id__in=list(latest)).order_by("child_id", "on", "id")
            .values_list("child_id", "status", "on", "fell_through")):
        latest[child_id] = (status, on, fell_through)
    return {child_id: address_words(status, on, fell_through=fell_through)
            for child_id, (status, on, fell_through) in latest.items()}
