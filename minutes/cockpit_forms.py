"""The cockpit's forms: each says its limits next to the field and names what is wrong in its errors."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from minutes.models import Attendance
from panels.forms import LimitedText

DECISION_MAX = 4000
ACTION_MAX = 2000
NAME_MAX = 200


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        return value.isoformat() if isinstance(value, date) else value


class PartForm(forms.Form):
    """One part of an item's record; a part left empty is not saved (nor checked)."""

    def is_filled(self) -> bool:
        return any(str(self.data.get(self.add_prefix(name), "")).strip() for name in self.fields)


class CockpitDecisionForm(PartForm):
    text = LimitedText(label="Decision", noun="decision", limit=DECISION_MAX, widget=forms.Textarea)


class CockpitActionForm(PartForm):
    description = LimitedText(label="What is to be done", noun="action", limit=ACTION_MAX)
    owner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label="Owner (a person)", queryset=None, required=False,
                                   empty_label="Nobody named: the agency owns it",
                                   help_text="Anyone at a partner agency, or an invitee of this meeting.")
    owner_agency: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Owner agency", queryset=None, required=False,
                                          empty_label="Choose an agency",
                                          help_text="Leave it to follow the person named above.")
    due_date = forms.DateField(label="Due by", widget=DateInput, input_formats=["%Y-%m-%d"],
                               error_messages={"required": "Give the date the action is due by.",
                                               "invalid": "Give the due date as a date, for example 2027-01-31."})

    def __init__(self, *args, agencies, people, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_agency"].queryset = agencies
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = lambda u: f"{u.get_full_name() or u.username}" + (
            f", {u.agency.name}" if u.agency_id else "")
        self.meeting = meeting
        if self.initial.get("due_date"):
            self.fields["due_date"].help_text = "The panel's next meeting; change it if the action is due sooner."

    def is_filled(self) -> bool:
        """The due date alone does not make an action (it comes filled in: the panel's next meeting)."""
        return any(str(self.data.get(self.add_prefix(name), "")).strip()
                   for name in ("description", "owner", "owner_agency"))

    def clean(self):
        data = super().clean()
        owner, agency = data.get("owner"), data.get("owner_agency")
        if owner is None and agency is None and "owner" not in self.errors:
            self.add_error("owner_agency", "Name the person or the agency who owns the action.")
        elif owner is not None and agency is not None and owner.agency_id != agency.pk:
            self.add_error("owner", f"{owner.get_full_name() or owner.username} does not work for {agency.name}.")
        elif owner is not None and owner.agency_id is None:
            self.add_error("owner_agency", f"Choose the agency {owner.get_full_name() or owner.username} acts for.")
        due = data.get("due_date")
        if due is not None and due < max(self.meeting.local_date, timezone.localdate()):
            self.add_error("due_date", "The due date must not be in the past.")
        return data


STATUS_CHOICES = [("", "Not recorded")] + list(Attendance.Status.choices)


class CockpitAttendanceForm(PartForm):
    """One row of radios per person on the list, and a guest (added once, then on the list)."""

    guest_name = LimitedText(label="Someone not on the list", noun="name", limit=NAME_MAX, required=False,
                             help_text="Their name.")
    guest_agency: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Their agency", queryset=None, required=False,
                                          empty_label="Not known")
    guest_status = forms.ChoiceField(label="Their attendance", choices=Attendance.Status.choices,
                                     initial=Attendance.Status.PRESENT, required=False)

    def __init__(self, *args, attendees, **kwargs):
        from panels.models import Agency

        super().__init__(*args, **kwargs)
        self.attendees = attendees
        self.fields["guest_agency"].queryset = Agency.objects.order_by("name")
        for index, person in enumerate(attendees):
            self.fields[f"status_{index}"] = forms.ChoiceField(
                label=person.name + (f", {person.agency}" if person.agency else ""), choices=STATUS_CHOICES,
                required=False, initial=person.status, widget=forms.RadioSelect)

    def is_filled(self) -> bool:
        changed = any(self.data.get(self.add_prefix(f"status_{i}"), p.status) not in ("", p.status)
                      for i, p in enumerate(self.attendees))
        return changed or bool(str(self.data.get(self.add_prefix("guest_name"), "")).strip())

    def person_fields(self):
        return [(person, self[f"status_{index}"]) for index, person in enumerate(self.attendees)]

    def clean(self):
        data = super().clean()
        data["statuses"] = [(person, data.get(f"status_{i}", "")) for i, person in enumerate(self.attendees)]
        name = (data.get("guest_name") or "").strip()
        if name and any(p.name.casefold() == name.casefold() for p in self.attendees):
            self.add_error("guest_name", f"{name} is on the list already: tick them there.")
        data["guest_name"] = name
        data["guest_status"] = data.get("guest_status") or Attendance.Status.PRESENT
        return data


class CockpitReviewForm(PartForm):
    review_by = forms.DateField(label="Next review by", widget=DateInput, input_formats=["%Y-%m-%d"],
                                help_text="The date by which the child comes back to this panel.",
                                error_messages={"required": "Give the date of the next review.",
                                                "invalid": "Give the review date as a date, for example 2027-01-31."})

    def __init__(self, *args, meeting, next_meeting_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        if next_meeting_on:
            self.fields["review_by"].help_text = (f"The date by which the child comes back to this panel, for "
                                                  f"example its next meeting: {next_meeting_on.isoformat()}.")

    def clean_review_by(self):
        value = self.cleaned_data["review_by"]
        if value <= self.meeting.local_date:
            raise forms.ValidationError("The next review must be after this meeting.")
        return value
