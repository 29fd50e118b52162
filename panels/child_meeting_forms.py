"""Forms for the child's statutory meetings. They validate shape; child_meeting_services decides."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone

from panels import child_meetings
from panels.enums import ChildMeetingKind, ChildMeetingPlace
from panels.forms import LimitedText
from panels.models import ChildMeeting, NetworkMember, User

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
TIME_FORMATS = ["%H:%M"]
NO_NETWORK_HINT = ("Nobody is in the child's network yet. Add the people around the child (parents or carers, "
                   "social worker, IRO, personal adviser) on the child's Network page, and they can be invited here.")


class ChildMeetingForm(forms.Form):
    kind = forms.ChoiceField(label="Which meeting", choices=ChildMeetingKind.choices)
    day = forms.DateField(label="Day (YYYY-MM-DD)", input_formats=DATE_FORMATS)
    start = forms.TimeField(label="Starts (HH:MM)", input_formats=TIME_FORMATS)
    end = forms.TimeField(label="Ends (HH:MM)", input_formats=TIME_FORMATS)
    place = forms.ChoiceField(label="Where", choices=ChildMeetingPlace.choices, widget=forms.RadioSelect)
    location = forms.CharField(label="Place (goes into the calendar invite: never the child's name)",
                               max_length=child_meetings.LOCATION_LIMIT, required=False)
    video_link = forms.URLField(label="Video link", required=False, assume_scheme="https")
    members: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label="Invite from the child's network", queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple)
    staff: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label="Invite from the youth justice service", queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, child, suggest_for: str = "", **kwargs):
        """``suggest_for``: a meeting kind; the network members to suggest for it are marked, and ticked unless
        the caller's ``initial`` says who."""
        super().__init__(*args, **kwargs)
        members = cast(forms.ModelMultipleChoiceField, self.fields["members"])
        members.queryset = NetworkMember.objects.filter(child=child).select_related("user")
        # the network read once: its suggestions and its boxes come from this list (the queryset still checks
        # what is posted)
        network = list(members.queryset)
        self.suggested = {s.member_id: s.reason for s in child_meetings.suggestions(
            [(m.pk, m.role) for m in network], kind=suggest_for, looked_after=child.looked_after,
            ehcp=child.ehcp)} if suggest_for else {}
        self.initial.setdefault("members", list(self.suggested))
        members.choices = [(m.pk, self._member_label(m)) for m in network]
        if not network:
            members.help_text = NO_NETWORK_HINT
        staff = cast(forms.ModelMultipleChoiceField, self.fields["staff"])
        staff.queryset = User.objects.filter(agency_id=child.service_id, is_active=True)
        staff.label_from_instance = lambda u: (  # type: ignore[method-assign,assignment]
            f"{u.get_full_name() or u.username}{' (case manager)' if u.pk == child.case_manager_id else ''}")

    def _member_label(self, member: NetworkMember) -> str:
        label = f"{member.display_name} ({member.get_role_display()})"
        if not member.contact_email:
            label += ": no email address, no invite"
        if member.pk in self.suggested:
            label += f" — suggested: {self.suggested[member.pk]}"
        return label

    def times(self) -> tuple[datetime, datetime]:
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        return (timezone.make_aware(datetime.combine(data["day"], data["start"]), zone),
                timezone.make_aware(datetime.combine(data["day"], data["end"]), zone))

    def service_kwargs(self) -> dict[str, Any]:
        starts_at, ends_at = self.times()
        data = self.cleaned_data
        return {"kind": data["kind"], "starts_at": starts_at, "ends_at": ends_at, "place": data["place"],
                "location": data["location"], "video_link": data["video_link"],
                "members": list(data["members"]), "staff": list(data["staff"])}

    @classmethod
    def initial_for(cls, meeting: ChildMeeting) -> dict[str, Any]:
        starts, ends = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
        people = list(meeting.participants.all())
        return {"kind": meeting.kind, "day": starts.date(), "start": starts.strftime("%H:%M"),
                "end": ends.strftime("%H:%M"), "place": meeting.place, "location": meeting.location,
                "video_link": meeting.video_link,
                "members": [p.member_id for p in people if p.member_id],
                "staff": [p.user_id for p in people if p.user_id and not p.member_id]}


ATTENDED = [("", "Not recorded"), ("yes", "Yes"), ("no", "No")]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class HeldForm(forms.Form):
    held_on = forms.DateField(label="Held on (YYYY-MM-DD)", input_formats=DATE_FORMATS)
    child_attended = forms.TypedChoiceField(label="Did the child take part?", choices=ATTENDED, required=False,
                                            coerce=_yes_no, empty_value=None)
    family_attended = forms.TypedChoiceField(label="Did parents or carers take part?", choices=ATTENDED,
                                             required=False, coerce=_yes_no, empty_value=None)
    attended = forms.TypedMultipleChoiceField(label="Who of those invited took part", coerce=int, required=False,
                                              choices=(), widget=forms.CheckboxSelectMultiple)
    outcome = forms.CharField(label=f"Outcome (at most {child_meetings.OUTCOME_LIMIT:,} characters)",
                              widget=forms.Textarea, required=False)

    def __init__(self, *args, meeting: ChildMeeting, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["attended"]).choices = [(p.pk, str(p)) for p in
                                                                     meeting.participants.all()]


class CancelForm(forms.Form):
    action = forms.ChoiceField(choices=[("cancel", "Cancel"), ("not_held", "Did not take place")])
    reason = LimitedText(label="Reason", noun="reason", limit=child_meetings.REASON_LIMIT, required=False)
