"""Forms for sign-in security and the audit log. They validate shape; services decide."""

from __future__ import annotations

import re

from django import forms

from panels.accounts import AuditFilter
from panels.models import Child, User

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y"]


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code", max_length=16, strip=True,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        error_messages={"required": "Enter the code from your authenticator app."},
    )

    def clean_token(self) -> str:
        token = re.sub(r"\s+", "", self.cleaned_data["token"])
        if not re.fullmatch(r"[0-9a-zA-Z]{6,16}", token):
            raise forms.ValidationError("Enter the 6-digit code from your app (numbers only), or a backup code.")
        return token.lower()


class EnrolForm(forms.Form):
    token = forms.CharField(
        label="Code from your app", max_length=8, strip=True,
        help_text="After adding Convene to your authenticator app, enter the 6-digit code it shows.",
        error_messages={"required": "Enter the 6-digit code your authenticator app shows."},
    )

    def clean_token(self) -> str:
        token = re.sub(r"\s+", "", self.cleaned_data["token"])
        if not re.fullmatch(r"[0-9]{6}", token):
            raise forms.ValidationError("The code is 6 digits, like 123456.")
        return token


class AuditFilterForm(forms.Form):
    child = forms.CharField(label="Child reference", required=False, max_length=40,
                            help_text="The child's case reference, for example YJ-0001.")
    user = forms.CharField(label="Username", required=False, max_length=150,
                           help_text="Who did it: the username they sign in with.")
    date_from = forms.DateField(label="From (date)", required=False, input_formats=DATE_FORMATS,
                                help_text="For example 2026-11-01 or 01/11/2026.",
                                error_messages={"invalid": "Enter the from date as YYYY-MM-DD or DD/MM/YYYY."})
    date_to = forms.DateField(label="To (date, included)", required=False, input_formats=DATE_FORMATS,
                              error_messages={"invalid": "Enter the to date as YYYY-MM-DD or DD/MM/YYYY."})

    def __init__(self, *args, service_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.service_id = service_id

    def clean_child(self) -> Child | None:
        reference = self.cleaned_data["child"].strip()
        if not reference:
            return None
        child = Child.objects.filter(service_id=self.service_id, reference__iexact=reference).first()
        if child is None:
            raise forms.ValidationError(f"No child with reference {reference} in your service.")
        return child

    def clean_user(self) -> User | None:
        username = self.cleaned_data["user"].strip()
        if not username:
            return None
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            raise forms.ValidationError(f"No user with username {username}.")
        return user

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The to date must be the same as or after the from date.")
        return data

    def to_filter(self) -> AuditFilter:
        d = self.cleaned_data
        return AuditFilter(child=d.get("child"), actor=d.get("user"), date_from=d.get("date_from"),
                           date_to=d.get("date_to"))
