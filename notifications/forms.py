from __future__ import annotations

from django import forms

from notifications.ladder import Ladder, StatutoryLadder

LABELS = {
    "remind_before_days": "Remind the owner this many days before the due date (0: no early reminder)",
    "remind_on_due": "Remind the owner on the due date",
    "owner_after_days": "Tell the owner it is overdue after this many days",
    "manager_after_days": "Escalate to the owner's line manager (or the agency's contact) after this many days",
    "chair_after_days": "Escalate to the panel's chair after this many days",
}


class LadderForm(forms.Form):
    remind_before_days = forms.IntegerField(min_value=0, max_value=90)
    remind_on_due = forms.BooleanField(required=False)
    owner_after_days = forms.IntegerField(min_value=1, max_value=90)
    manager_after_days = forms.IntegerField(min_value=1, max_value=90)
    chair_after_days = forms.IntegerField(min_value=1, max_value=90)

    def __init__(self, *args, current: Ladder, **kwargs):
        super().__init__(*args, initial=current.to_dict(), **kwargs)
        for name, label in LABELS.items():
            self.fields[name].label = label

    def ladder(self) -> tuple[Ladder | None, list[str]]:
        return Ladder.from_dict(self.cleaned_data)


STATUTORY_LABELS = {
    "enabled": "Escalate missed statutory timescales of the children this panel oversees",
    "tell_case_manager": "Tell the child's case manager",
    "case_manager_after_days": "… this many days after the due date",
    "tell_line_manager": "Escalate to the case manager's line manager",
    "line_manager_after_days": "… this many days after the due date",
    "tell_strategic_lead": "Escalate to the panel's strategic lead",
    "strategic_lead_after_days": "… this many days after the due date",
}


class StatutoryLadderForm(forms.Form):
    """The escalation of missed statutory timescales (issue 17 point 5): each step on or off, and its day."""

    enabled = forms.BooleanField(required=False)
    tell_case_manager = forms.BooleanField(required=False)
    case_manager_after_days = forms.IntegerField(min_value=1, max_value=90)
    tell_line_manager = forms.BooleanField(required=False)
    line_manager_after_days = forms.IntegerField(min_value=1, max_value=90)
    tell_strategic_lead = forms.BooleanField(required=False)
    strategic_lead_after_days = forms.IntegerField(min_value=1, max_value=90)

    def __init__(self, *args, current: StatutoryLadder, **kwargs):
        super().__init__(*args, initial=current.to_dict(), prefix="statutory", **kwargs)
        for name, label in STATUTORY_LABELS.items():
            self.fields[name].label = label

    def ladder(self) -> tuple[StatutoryLadder | None, list[str]]:
        return StatutoryLadder.from_dict(self.cleaned_data)
