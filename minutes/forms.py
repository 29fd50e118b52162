from __future__ import annotations

from django import forms

from minutes.models import Action, Attendance


class DecisionForm(forms.Form):
    child = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(label="Decision", widget=forms.Textarea, max_length=4000)


class ActionForm(forms.Form):
    child = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(label="Action", max_length=2000)
    owner_agency = forms.ModelChoiceField(label="Owner agency", queryset=None, required=False)
    owner = forms.ModelChoiceField(label="Owner (a named person)", queryset=None, required=False)
    due_date = forms.DateField(label="Due by (YYYY-MM-DD)", input_formats=["%Y-%m-%d"])
    pathway = forms.CharField(label="Pathway", max_length=60, required=False)
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
    name = forms.CharField(label="Name", max_length=200)
    status = forms.ChoiceField(label="Attendance", choices=Attendance.Status.choices)


class ApproveForm(forms.Form):
    reason = forms.CharField(label="Reason for a new revision (required after the first)", max_length=500,
                             required=False)


class ReviewForm(forms.Form):
    child = forms.IntegerField(widget=forms.HiddenInput)
    review_by = forms.DateField(label="Next review by (YYYY-MM-DD)", input_formats=["%Y-%m-%d"])


class CorrectionForm(forms.Form):
    text = forms.CharField(label="What is wrong, and what should it say?", widget=forms.Textarea, max_length=4000)


class DeclineForm(forms.Form):
    resolution = forms.CharField(label="Why the minutes stand as approved", widget=forms.Textarea, max_length=2000)


class ActionUpdateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label="New status", choices=[("", "No change")] + [
        (s, label) for s, label in Action.Status.choices], required=False)
    note = forms.CharField(label="Progress note", widget=forms.Textarea, max_length=4000, required=False)
    evidence = forms.CharField(label="Evidence of completion (optional)", max_length=2000, required=False)


class DueDateRequestForm(forms.Form):
    new_due_date = forms.DateField(label="New due date (YYYY-MM-DD)", input_formats=["%Y-%m-%d"])
    reason = forms.CharField(label="Why more time is needed", widget=forms.Textarea, max_length=2000)


class DueDateDecisionForm(forms.Form):
    agree = forms.TypedChoiceField(choices=[("1", "Agree"), ("0", "Refuse")], coerce=lambda v: v == "1")
    note = forms.CharField(label="Note to the owner", max_length=2000, required=False)


class RegisterFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False, choices=[("open", "Open (any)"), ("", "All")] + list(
        Action.Status.choices))
    owner_agency = forms.IntegerField(label="Owner agency", required=False)
    child = forms.CharField(label="Child reference", required=False, max_length=40)
    overdue = forms.BooleanField(label="Overdue only", required=False)
