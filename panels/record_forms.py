"""Forms for the child's resettlement record. They validate shape; record_services decides."""

from __future__ import annotations

from typing import Any

from django import forms

from panels import resettlement
from panels.enums import NetworkRole, PlanSetting, TransferDecision
from panels.models import Agency, NetworkMember, Pathway, User

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class NetworkMemberForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=NetworkRole.choices)
    name = forms.CharField(label="Name", max_length=200, required=False,
                           help_text="Leave blank for someone who uses Convene: their email address finds them.")
    email = forms.EmailField(label="Email address", required=False,
                             help_text="A Convene user's address links their account. Anyone else gets calendar "
                                       "invites at this address and nothing else.")
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    agency: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Agency", queryset=None, required=False, empty_label="None or not listed")
    attends_remotely = forms.BooleanField(label="Attends meetings remotely", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.order_by("name")


class PlanRowForm(forms.Form):
    pathway: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label="Pathway", queryset=None, empty_label=None)
    setting = forms.ChoiceField(label="In custody or in the community", choices=PlanSetting.choices)
    goal = forms.CharField(label="What is the goal?", widget=forms.Textarea)
    how = forms.CharField(label="How will this happen?", widget=forms.Textarea, required=False)
    who_member: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Who will do it: someone in the network", queryset=None,
                                        required=False, empty_label="Nobody from the network")
    who_user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="…or a member of the service's staff", queryset=None, required=False,
                                      empty_label="Nobody from the staff")
    who_agency: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="…or an agency", queryset=None, required=False,
                                        empty_label="No agency")
    by_when = forms.DateField(label="When will this be done? (YYYY-MM-DD)", input_formats=DATE_FORMATS,
                              required=False)
    progress = forms.CharField(label="Progress", widget=forms.Textarea, required=False)

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pathway"].queryset = Pathway.objects.filter(service_id=child.service_id, is_active=True)
        self.fields["who_member"].queryset = NetworkMember.objects.filter(child=child).select_related("user")
        self.fields["who_member"].label_from_instance = lambda m: f"{m.display_name} ({m.get_role_display()})"
        self.fields["who_user"].queryset = User.objects.filter(agency_id=child.service_id, is_active=True)
        self.fields["who_agency"].queryset = Agency.objects.order_by("name")


class ChildWordsForm(forms.Form):
    who_are_you = forms.CharField(label="Who are you?", widget=forms.Textarea, required=False)
    who_do_you_want_to_be = forms.CharField(label="Who do you want to be?", widget=forms.Textarea, required=False)
    strengths_and_goals = forms.CharField(label="What are your strengths, interests and goals?",
                                          widget=forms.Textarea, required=False)
    how_will_you_get_there = forms.CharField(label="How are you going to get there?", widget=forms.Textarea,
                                             required=False)


class TransferDecisionForm(forms.Form):
    decision = forms.ChoiceField(label="Transfer decision", choices=[("", "Not recorded"), *TransferDecision.choices],
                                 required=False)
    reason = forms.CharField(label="Reason", widget=forms.Textarea, required=False,
                             help_text="Required to retain the case: for example, the child turns 18 in the last "
                                       "2 months of the order, or has significant learning needs.")


class PathwayAddForm(forms.Form):
    name = forms.CharField(label="New pathway", max_length=120,
                           error_messages={"required": "Give the pathway a name."})


class PathwayRenameForm(forms.Form):
    name = forms.CharField(label="New name", max_length=120,
                           error_messages={"required": "Give the pathway a name."})


class PathwayPresetForm(forms.Form):
    preset = forms.ChoiceField(label="Use a preset set of pathways", choices=list(resettlement.PRESET_LABELS.items()))
