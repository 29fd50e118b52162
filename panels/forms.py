"""Forms for the panels pages. They validate shape; services decide."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from enum import Enum
from typing import Any, Literal, TypeVar

from django import forms
from django.conf import settings
from django.core import validators
from django.core.exceptions import ValidationError
from django.utils import timezone

from panels.cohort_import import FIELD_NAMES

T = TypeVar("T")


class StatedMaxLength(validators.MaxLengthValidator):
    """Too long: the message names the thing, its limit and how long it is (never "write the …")."""

    def __init__(self, limit: int, noun: str):
        super().__init__(limit)
        self.noun = noun

    def __call__(self, value) -> None:
        if len(value) > self.limit_value:
            raise ValidationError(
                f"The {self.noun} must be {self.limit_value:,} characters or fewer (it has {len(value):,}).",
                code="max_length")


def limit_hint(limit: int) -> str:
    """The words next to a field that say its limit (the form macros show them; GOV.UK: state the limit)."""
    return f"Up to {limit:,} characters."


class LimitedText(forms.CharField):
    """Free text with a stated limit: ``limit`` is shown next to the field ("Up to 2,000 characters.", by
    ``_macros.form_field``) and named in the error ("The decision must be 2,000 characters or fewer"). No
    ``maxlength`` attribute is written: a browser would cut pasted text silently (GOV.UK advice)."""

    def __init__(self, *, noun: str, limit: int, required_message: str = "", **kwargs):
        self.noun, self.limit = noun, limit
        messages = {"required": required_message or f"Write the {noun}."} | kwargs.pop("error_messages", {})
        super().__init__(error_messages=messages, **kwargs)
        self.validators.append(StatedMaxLength(limit, noun))


class LimitedEmail(forms.EmailField):
    """An email address with the same stated limit (254: what a mail system takes)."""

    def __init__(self, *, noun: str = "email address", limit: int = 254, **kwargs):
        self.noun, self.limit = noun, limit
        messages = {"required": f"Give the {noun}.",
                    "invalid": f"Give the {noun} in the right form, like name@example.org."}
        super().__init__(error_messages=messages | kwargs.pop("error_messages", {}), **kwargs)
        self.validators.append(StatedMaxLength(limit, noun))


class LimitedURL(forms.URLField):
    def __init__(self, *, noun: str, limit: int = 200, **kwargs):
        self.noun, self.limit = noun, limit
        messages = {"invalid": f"Give the {noun} as a web address, like https://meet.example.org/panel."}
        super().__init__(error_messages=messages | kwargs.pop("error_messages", {}), **kwargs)
        self.validators.append(StatedMaxLength(limit, noun))


def error_text(exc: ValidationError, sep: str = " ") -> str:
    """Every message of a ValidationError, in one line, for a flash message."""
    if hasattr(exc, "error_dict"):
        return sep.join(m for msgs in exc.message_dict.values() for m in msgs)
    return sep.join(exc.messages)


def form_add_service_error(form: forms.Form, exc: ValidationError, fields: dict[str, str] | None = None) -> None:
    """A service's refusal onto the form it answers: each message on the field its key names (or that
    ``fields`` maps it to), the rest on the form as a whole; the error summary then links each one."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, errors in exc.error_dict.items():
        name = (fields or {}).get(key, key)
        form.add_error(name if name in form.fields else None, errors)


class Refused(Enum):
    """What ``form_submit`` returns when the form or the service refused (the errors are then on the form)."""

    REFUSED = "refused"


REFUSED = Refused.REFUSED


def form_submit(form: forms.Form, service: Callable[[dict[str, Any]], T], *,
                fields: dict[str, str] | None = None) -> T | Literal[Refused.REFUSED]:
    """The one shape of a form post: when ``form`` is valid, call ``service(form.cleaned_data)`` and return what
    it returns; a refusal (``ValidationError``) goes onto the form (``form_add_service_error``, keys mapped by
    ``fields``) so the page redraws with the error summary, and ``REFUSED`` is returned."""
    if not form.is_valid():
        return REFUSED
    try:
        return service(form.cleaned_data)
    except ValidationError as exc:
        form_add_service_error(form, exc, fields)
        return REFUSED


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
    ignore_columns = LimitedText(
        label="Columns to ignore (optional)", required=False, noun="list of columns", limit=1000,
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
    reason = LimitedText(label="Why is the meeting cancelled?", noun="reason", limit=300,
                         required_message="Give a reason for cancelling the meeting.",
                         help_text="Everyone invited reads it in their cancellation: do not name or identify a child.")


class ChildFilterForm(forms.Form):
    q = LimitedText(label="Reference or name", noun="search", limit=100, required=False)
    legal_status = forms.ChoiceField(
        label="Legal status", required=False,
        choices=[("", "Any"), ("remand", "Remand"), ("sentenced", "Sentenced"), ("community", "Community"),
                 ("released", "Released"), ("closed", "Closed")],
    )


class InviteeForm(forms.Form):
    """Invite a person (from any agency) to a meeting or to one child's slot."""

    name = LimitedText(label="Name", noun="name", limit=200, required_message="Give the name of the person to invite.")
    email = LimitedEmail(label="Email address")
    agency = forms.ModelChoiceField(label="Agency", queryset=None, required=False, empty_label="Not listed")
    role = forms.ChoiceField(label="Role", choices=(), required=False)
    can_edit_minutes = forms.BooleanField(label="Can write the minutes", required=False)

    def __init__(self, *args, service_id: int | None = None, **kwargs):
        from panels.enums import InviteeRole
        from panels.models import Agency

        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.order_by("name")
        self.fields["role"].choices = InviteeRole.choices
        self.fields["role"].initial = InviteeRole.REQUIRED

    def clean_role(self) -> str:
        return self.cleaned_data.get("role") or "required"


class MeetingChangeForm(forms.Form):
    """Move a meeting or change its place; invitees of a scheduled meeting get one update."""

    day = forms.DateField(label="Date (YYYY-MM-DD)", input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                          error_messages={"required": "Give the date of the meeting.",
                                          "invalid": "Give the date as a date, for example 2027-01-31."})
    starts = forms.TimeField(label="Starts (HH:MM)", input_formats=["%H:%M"],
                             error_messages={"required": "Give the time the meeting starts.",
                                             "invalid": "Give the start time as hours and minutes, like 09:30."})
    ends = forms.TimeField(label="Ends (HH:MM)", input_formats=["%H:%M"],
                           error_messages={"required": "Give the time the meeting ends.",
                                           "invalid": "Give the end time as hours and minutes, like 11:30."})
    location = LimitedText(label="Place", noun="place", limit=200, required=False)
    video_link = LimitedURL(label="Video link", noun="video link", required=False, assume_scheme="https")

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
