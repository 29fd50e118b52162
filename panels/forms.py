"""Forms for the panels pages. They validate shape; services decide."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from panels.cohort_import import FIELD_NAMES


def error_text(exc: ValidationError, sep: str = " ") -> str:
    """Every message of a ValidationError, in one line, for a flash message."""
    if hasattr(exc, "error_dict"):
        return sep.join(m for msgs in exc.message_dict.values() for m in msgs)
    return sep.join(exc.messages)


def form_error_text(form: forms.Form, sep: str = "; ") -> str:
    """A form's errors in one line, each named by its field's label, for a flash message."""
    return sep.join(f"{form.fields[f].label}: {' '.join(e)}" if f in form.fields else " ".join(e)
                    for f, e in form.errors.items())


class CohortUploadForm(forms.Form):
    file = forms.FileField(label="Cohort file (CSV)", help_text="The format is described in the cohort guide.")
    dry_run = forms.BooleanField(
        label="Check the file only (dry run): report problems and what would change, without saving",
        required=False,
    )
    ignore_columns = forms.CharField(
        label="Columns to ignore (optional)", required=False, max_length=1000,
        help_text="Comma-separated names of extra columns your case system exports, e.g. notes, worker_team.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.COHORT_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size // 1024} KB; the largest accepted is "
                f"{settings.COHORT_MAX_UPLOAD_BYTES // 1024} KB."
            )
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text: save it as 'CSV UTF-8' and try again.") from None
        if "\x00" in text:
            raise forms.ValidationError("The file contains binary data: upload a CSV file.")
        self.cleaned_data["text"] = text
        return upload

    def clean_ignore_columns(self) -> list[str]:
        names = [n.strip() for n in self.cleaned_data["ignore_columns"].split(",") if n.strip()]
        clash = sorted(set(names) & set(FIELD_NAMES))
        if clash:
            raise forms.ValidationError(f"These are cohort fields and cannot be ignored: {', '.join(clash)}.")
        return names


class GenerateMeetingsForm(forms.Form):
    months = forms.IntegerField(
        label="Generate meetings for the next … months", min_value=1, max_value=24, initial=6,
    )

    def date_range(self):
        start = timezone.localdate()
        return start, start + timedelta(days=31 * self.cleaned_data["months"])


class CancelMeetingForm(forms.Form):
    reason = forms.CharField(label="Why is the meeting cancelled?", max_length=300)


class ChildFilterForm(forms.Form):
    q = forms.CharField(label="Reference or name", required=False, max_length=100)
    legal_status = forms.ChoiceField(
        label="Legal status", required=False,
        choices=[("", "Any"), ("remand", "Remand"), ("sentenced", "Sentenced"), ("community", "Community"),
                 ("released", "Released"), ("closed", "Closed")],
    )


class InviteeForm(forms.Form):
    """Invite a person (from any agency) to a meeting or to one child's slot."""

    name = forms.CharField(label="Name", max_length=200)
    email = forms.EmailField(label="Email address", max_length=254)
    agency = forms.ModelChoiceField(label="Agency", queryset=None, required=False, empty_label="Not listed")
    role = forms.ChoiceField(label="Role", choices=(), required=False)
    can_edit_minutes = forms.BooleanField(label="Can write the minutes", required=False)

    def __init__(self, *args, service_id: int | None = None, **kwargs):
        from panels.enums import InviteeRole
        from panels.models import Agency

        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.order_by("name")
        self.fields["role"].choices = InviteeRole.choices

    def clean_role(self) -> str:
        return self.cleaned_data.get("role") or "required"


class MeetingChangeForm(forms.Form):
    """Move a meeting or change its place; invitees of a scheduled meeting get one update."""

    day = forms.DateField(label="Date", input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    starts = forms.TimeField(label="Starts", input_formats=["%H:%M"])
    ends = forms.TimeField(label="Ends", input_formats=["%H:%M"])
    location = forms.CharField(label="Place", max_length=200, required=False)
    video_link = forms.URLField(label="Video link", required=False, assume_scheme="https")

    def clean(self):
        data = super().clean()
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", "The meeting must end after it starts.")
        return data

    def datetimes(self):
        from datetime import datetime

        day = self.cleaned_data["day"]
        return (timezone.make_aware(datetime.combine(day, self.cleaned_data["starts"])),
                timezone.make_aware(datetime.combine(day, self.cleaned_data["ends"])))
