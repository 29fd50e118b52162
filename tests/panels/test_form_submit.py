"""``panels.forms.form_submit``: the one shape of a form post in the child record's pages (network, plan,
transfer decision, release address and ETE, statutory meetings). No database: a form and a service are enough."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from panels.forms import REFUSED, form_submit


class DatesForm(forms.Form):
    start = forms.DateField()
    note = forms.CharField(required=False)


def test_a_valid_form_calls_the_service_with_its_cleaned_data_and_returns_its_result():
    seen = []
    result = form_submit(DatesForm({"start": "2027-01-04"}), lambda data: seen.append(data) or "made")
    assert result == "made"
    assert seen[0]["start"].isoformat() == "2027-01-04"


def test_an_invalid_form_is_refused_without_calling_the_service():
    called = []
    result = form_submit(DatesForm({"start": "4th January"}), lambda data: called.append(data))
    assert result is REFUSED
    assert called == []


def test_a_service_refusal_lands_on_the_field_it_names_through_the_mapping():
    def refuse(_data):
        raise ValidationError({"starts_at": "The start must be after the sentence date."})

    form = DatesForm({"start": "2027-01-04"})
    assert form_submit(form, refuse, fields={"starts_at": "start"}) is REFUSED
    assert form.errors["start"] == ["The start must be after the sentence date."]


def test_a_service_refusal_without_a_field_lands_on_the_form_as_a_whole():
    def refuse(_data):
        raise ValidationError("The child has left the service.")

    form = DatesForm({"start": "2027-01-04"})
    assert form_submit(form, refuse) is REFUSED
    assert form.non_field_errors() == ["The child has left the service."]


def test_a_service_that_returns_nothing_is_still_a_success():
    assert form_submit(DatesForm({"start": "2027-01-04"}), lambda _data: None) is None
