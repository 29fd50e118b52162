from __future__ import annotations

from django import forms

from agendas.rules import RuleSettings
from panels.forms import LimitedEmail, LimitedText


def _reason(label: str = "Reason (recorded in the audit log)") -> LimitedText:
    return LimitedText(label=label, noun="reason", limit=500,
                       required_message="Give a reason: it is recorded in the audit log.")


class ReasonForm(forms.Form):
    reason = _reason()

    def __init__(self, *args, label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label


class AddChildForm(forms.Form):
    reference = LimitedText(label="Child's reference", noun="reference", limit=40,
                            required_message="Give the child's reference.")
    reason = _reason()


class _PickOne(forms.TypedChoiceField):
    """A choice among objects listed once for the page (no query per form drawn); cleans to the object."""

    def __init__(self, *, objects, empty: str, **kwargs):
        self.objects = {str(o.pk): o for o in objects}
        super().__init__(choices=[("", empty)] + [(str(o.pk), str(o)) for o in objects], required=False,
                         coerce=lambda pk: self.objects[pk], empty_value=None,
                         error_messages={"invalid_choice": f"Choose the {kwargs['label'].lower()} from the list."},
                         **kwargs)


class SlotForm(forms.Form):
    slot_start = forms.TimeField(label="Slot starts (HH:MM)", required=False, input_formats=["%H:%M"],
                                 error_messages={"invalid": "Give the slot's start as hours and minutes, like 10:15."})
    slot_minutes = forms.IntegerField(label="Length in minutes", required=False, min_value=5, max_value=240,
                                      error_messages={"invalid": "Give the slot's length as a number of minutes.",
                                                      "min_value": "A slot is at least 5 minutes.",
                                                      "max_value": "A slot is at most 240 minutes."})
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, presenters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presenter"] = _PickOne(label="Presenter", objects=presenters, empty="Nobody yet")


class SlotInviteForm(forms.Form):
    """Invite someone for one child's slot only."""

    name = LimitedText(label="Name", noun="name", limit=200, required_message="Give the name of the person to invite.")
    email = LimitedEmail(label="Email address")

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"] = _PickOne(label="Agency", objects=agencies, empty="Not listed")


class PublishForm(forms.Form):
    note = LimitedText(label="Note to partners about this version (optional)", noun="note", limit=500,
                       required=False,
                       help_text="Every invitee reads it word for word: do not name or identify a child.")
    note_checked = forms.BooleanField(
        label="I have checked the note: everyone listed may read it", required=False)


class ReferralForm(forms.Form):
    panel = forms.ModelChoiceField(label="Panel", queryset=None)
    reason = forms.CharField(label="Why should the panel discuss this child?", widget=forms.Textarea,
                             max_length=2000)

    def __init__(self, *args, panels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["panel"].queryset = panels


class ReferralDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")], widget=forms.RadioSelect)
    note = LimitedText(label="Note (required when declining)", noun="note", limit=500, required=False)


class RuleSettingsForm(forms.Form):
    """One whole-number field per rule timescale, plus the rules a service switches off."""

    def __init__(self, *args, current: RuleSettings, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        labels = current.describe()
        values = current.to_dict()
        for name, value in values.items():
            if name == "disabled_rules":
                continue
            self.fields[name] = forms.IntegerField(label=labels.get(name, name), initial=value, min_value=0)
        from agendas.context import reason_title
        from agendas.rules import CODES_BY_KIND

        self.fields["disabled_rules"] = forms.MultipleChoiceField(
            label="Rules switched off for this panel", required=False, widget=forms.CheckboxSelectMultiple,
            choices=[(c, reason_title(c)) for c in CODES_BY_KIND.get(kind, ())],
            initial=list(values.get("disabled_rules", ())),
        )

    def as_settings(self) -> tuple[RuleSettings | None, list[str]]:
        data = dict(self.cleaned_data)
        data["disabled_rules"] = list(data.get("disabled_rules") or [])
        return RuleSettings.from_dict(data)
