from __future__ import annotations

from django import forms

from minutes.models import Action, Attendance
from panels.forms import LimitedText


class DecisionForm(forms.Form):
    child = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = LimitedText(label="Decision", noun="decision", limit=4000, widget=forms.Textarea)


class ActionForm(forms.Form):
    child = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = LimitedText(label="What is to be done", noun="action", limit=2000)
    owner_agency = forms.ModelChoiceField(label="Owner agency", queryset=None, required=False)
    owner = forms.ModelChoiceField(label="Owner (a named person)", queryset=None, required=False)
    due_date = forms.DateField(label="Due by (YYYY-MM-DD)", input_formats=["%Y-%m-%d"],
                               error_messages={"required": "Give the date the action is due by.",
                                               "invalid": "Give the due date as a date, for example 2027-01-31."})
    pathway = LimitedText(label="Pathway (optional)", noun="pathway", limit=60, required=False)
    resettlement_pathway = forms.IntegerField(label="Pathway", required=False, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, agencies=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_agency"].queryset = agencies
        self.fields["owner"].queryset = people

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("owner") is None and data.get("owner_agency") is None:
            self.add_error("owner", "Choose who owns the action: a named person, an agency, or both.")
        return data


class AttendanceForm(forms.Form):
    child = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = LimitedText(label="Name", noun="name", limit=200, required_message="Give the name of the person.")
    status = forms.ChoiceField(label="Attendance", choices=Attendance.Status.choices)


class ApproveForm(forms.Form):
    reason = LimitedText(label="Reason for a new revision", noun="reason", limit=500, required=False)


class ReviewForm(forms.Form):
    child = forms.IntegerField(widget=forms.HiddenInput)
    review_by = forms.DateField(label="Next review by (YYYY-MM-DD)", input_formats=["%Y-%m-%d"],
                                error_messages={"required": "Give the date of the next review.",
                                                "invalid": "Give the review date as a date, for example 2027-01-31."})


class CorrectionForm(forms.Form):
    text = LimitedText(label="What is wrong, and what should it say?", noun="correction", limit=4000,
                       widget=forms.Textarea, required_message="Say what is wrong and what it should say.",
                       help_text="The chair and coordinator answer every request.")


class DeclineForm(forms.Form):
    resolution = LimitedText(label="Why the minutes stand as approved", noun="answer", limit=2000,
                             widget=forms.Textarea,
                             required_message="Tell the requester why the minutes stand as approved.")


class ActionUpdateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label="New status", choices=[("", "No change")] + [
        (s, label) for s, label in Action.Status.choices], required=False)
    note = LimitedText(label="Progress note", noun="progress note", limit=4000, widget=forms.Textarea,
                       required=False,
                       help_text="Needed when cancelling, or when blocked by another agency (say which, and what for).")
    evidence = LimitedText(label="Evidence of completion (optional)", noun="evidence", limit=2000, required=False)


class DueDateRequestForm(forms.Form):
    new_due_date = forms.DateField(label="New due date (YYYY-MM-DD)", input_formats=["%Y-%m-%d"],
                                   error_messages={"required": "Give the new due date.",
                                                   "invalid": "Give the new due date as a date, for example "
                                                              "2027-01-31."})
    reason = LimitedText(label="Why more time is needed", noun="reason", limit=2000, widget=forms.Textarea,
                         required_message="Say why more time is needed.")


class DueDateDecisionForm(forms.Form):
    agree = forms.TypedChoiceField(choices=[("1", "Agree"), ("0", "Refuse")], coerce=lambda v: v == "1")
    note = LimitedText(label="Note to the owner (needed to refuse)", noun="note", limit=2000, required=False)


class RegisterFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False, choices=[("open", "Open (any)"), ("", "All")] + list(
        Action.Status.choices))
    owner_agency = forms.IntegerField(label="Owner agency", required=False)
    child = LimitedText(label="Child reference", noun="reference", limit=40, required=False)
    overdue = forms.BooleanField(label="Overdue only", required=False)
