from __future__ import annotations

from django import forms

from agendas.rules import RuleSettings


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason (recorded in the audit log)", max_length=500)


class AddChildForm(ReasonForm):
    reference = forms.CharField(label="Child's reference", max_length=40)


class SlotForm(forms.Form):
    slot_start = forms.TimeField(label="Slot starts (HH:MM)", required=False, input_formats=["%H:%M"])
    slot_minutes = forms.IntegerField(label="Length in minutes", required=False, min_value=5, max_value=240)
    presenter = forms.ModelChoiceField(label="Presenter", queryset=None, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, presenters=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presenter"].queryset = presenters


class PublishForm(forms.Form):
    note = forms.CharField(label="Note to partners about this version (optional)", max_length=500, required=False,
                           help_text="Every invitee reads it word for word: do not name or identify a child. "
                                     "Up to 500 characters.")
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
    note = forms.CharField(label="Note (required when declining)", max_length=500, required=False)


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
