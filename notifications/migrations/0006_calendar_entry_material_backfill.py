"""Entries sent before answers were reset on a material change (0003) have no ``material``: store what they
say today, so the first move of such a meeting resets its answers like any other (notifications.invites
``material_of``, notifications.child_invites). UIDs need nothing: they are stored on the entry since 0002."""

import hashlib
import json
from datetime import timedelta

from django.db import migrations
from django.utils import timezone


def _hash(data: list) -> str:
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()


def material_backfill(apps, schema_editor):
    CalendarEntry = apps.get_model("notifications", "CalendarEntry")
    legacy = (CalendarEntry.objects.filter(material="", cancelled=False)
              .select_related("meeting", "child_meeting", "item"))
    for entry in legacy.iterator():
        if entry.child_meeting_id is not None:
            m = entry.child_meeting
            entry.material = _hash([m.starts_at.isoformat(), m.ends_at.isoformat(), m.location, m.place,
                                    m.video_link])
        elif entry.meeting_id is not None:
            m, starts, ends = entry.meeting, entry.meeting.starts_at, entry.meeting.ends_at
            if entry.item_id is not None and entry.item.slot_start is not None:  # invites.slot_times
                starts = timezone.localtime(m.starts_at).replace(hour=entry.item.slot_start.hour,
                                                                 minute=entry.item.slot_start.minute,
                                                                 second=0, microsecond=0)
                ends = starts + timedelta(minutes=entry.item.slot_minutes or 15)
            elif entry.item_id is None and "-item-" in entry.uid:
                continue  # a slot whose agenda item is gone: nothing more is sent for it
            entry.material = _hash([starts.isoformat(), ends.isoformat(), m.location, m.video_link])
        else:
            continue
        entry.save(update_fields=["material"])


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0005_statutory_escalation"),
        ("agendas", "0003_item_invitations"),
        ("panels", "0010_release_address_history_and_ete"),
    ]

    operations = [migrations.RunPython(material_backfill, migrations.RunPython.noop)]
