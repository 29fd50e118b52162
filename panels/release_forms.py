"""Forms for the release address and ETE on release. They validate shape; release_services decides."""

from __future__ import annotations

from django import forms

from panels.enums import AddressKind, EteKind, ReleaseAddressStatus
from panels.release_services import ETE_NOTES_LIMIT, MAX_HOURS, NOTE_LIMIT, PROVIDER_LIMIT, SUMMARY_LIMIT

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _date_messages(what: str) -> dict[str, str]:
    """A date's messages name the field (a form here has more than one date): GOV.UK error messages."""
    return {"required": f"Give {what}, like 2026-11-03.",
            "invalid": f"Give {what} as YYYY-MM-DD or DD/MM/YYYY, like 2026-11-03."}


class AddressChangeForm(forms.Form):
    status = forms.ChoiceField(label="Address status from this date", choices=ReleaseAddressStatus.choices)
    on = forms.DateField(label="Date of the change (YYYY-MM-DD)", input_formats=DATE_FORMATS,
                         error_messages=_date_messages("the date of the change"),
                         help_text="The day the address was proposed, assessed or confirmed, or fell through.")
    fell_through = forms.BooleanField(
        label="The address recorded before fell through (the status goes back to no address yet)", required=False)
    kind = forms.ChoiceField(label="Kind of place", choices=[("", "Not known"), *AddressKind.choices],
                             required=False)
    summary = forms.CharField(
        label="Where, in a few words", max_length=SUMMARY_LIMIT, required=False,
        help_text=f"Up to {SUMMARY_LIMIT} characters, e.g. \"mother's flat, Edmonton\". Shown only to those who may "
                  "see the child's record: never on an agenda, in an email or in a calendar.")
    note = forms.CharField(label="Note", max_length=NOTE_LIMIT, required=False, widget=forms.Textarea,
                           help_text=f"Up to {NOTE_LIMIT} characters: who assessed it, why it fell through.")


class ReleaseEteForm(forms.Form):
    kind = forms.ChoiceField(label="Education, training or employment", choices=[("", "Not known yet"),
                                                                                  *EteKind.choices], required=False)
    provider = forms.CharField(label="Provider", max_length=PROVIDER_LIMIT, required=False,
                               help_text=f"Up to {PROVIDER_LIMIT} characters: the school, college, trainer or "
                                         "employer.")
    hours_per_week = forms.IntegerField(label="Hours a week", min_value=1, max_value=MAX_HOURS, required=False)
    starts_on = forms.DateField(label="Starts on (YYYY-MM-DD)", input_formats=DATE_FORMATS, required=False,
                                error_messages=_date_messages("the day it starts"))
    interview_on = forms.DateField(
        label="Interview date (YYYY-MM-DD)", input_formats=DATE_FORMATS, required=False,
        error_messages=_date_messages("the interview date"),
        help_text="The education, training or employment interview after release (Enfield: within 10 days). "
                  "Recording it ends the agenda reason ED_RELEASE_ETE.")
    notes = forms.CharField(label="Notes", max_length=ETE_NOTES_LIMIT, required=False, widget=forms.Textarea,
                            help_text=f"Up to {ETE_NOTES_LIMIT} characters.")
