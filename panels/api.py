"""REST API for panels, meetings, children and agencies. Same selectors, same need-to-know as the pages."""

from __future__ import annotations

import django_filters
from django import forms
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from panels import cohort, record_selectors, selectors
from panels.audit import audit_children_read, audit_record
from panels.enums import MeetingStatus
from panels.models import Agency, Meeting, MeetingInvitee, Panel
from panels.parsing import parse_flag
from panels.records import child_to_record


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "short_name", "kind", "establishment_type", "email"]


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2})?$", "example": "10:00:00"})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in the panel's own time zone (Europe/London): no UTC offset, so not an RFC 3339 "time"."""


class PanelSerializer(serializers.ModelSerializer):
    service = serializers.CharField(source="service.name", read_only=True)
    start_time = LocalTimeField(read_only=True)

    class Meta:
        model = Panel
        fields = ["id", "name", "kind", "service", "cadence", "start_time", "default_duration_minutes",
                  "location", "video_link", "is_active"]


class MeetingSerializer(serializers.ModelSerializer):
    panel_name = serializers.CharField(source="panel.name", read_only=True)
    ical_uid = serializers.CharField(read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "panel", "panel_name", "starts_at", "ends_at", "status", "location", "video_link",
                  "ical_uid"]


class InviteeSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.name", read_only=True, allow_null=True)

    class Meta:
        model = MeetingInvitee
        fields = ["id", "name", "email", "agency", "role", "response"]


def _child_field(spec) -> serializers.Field:
    kinds = {
        "date": serializers.DateField, "int": serializers.IntegerField, "bool": serializers.BooleanField,
        "email": serializers.EmailField,
    }
    if spec.type == "enum":
        return serializers.ChoiceField(choices=list(spec.choices), allow_null=True, read_only=True)
    return kinds.get(spec.type, serializers.CharField)(allow_null=True, read_only=True)


class _ChildSerializerBase(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)

    def to_representation(self, instance):
        return {"id": instance.pk, **child_to_record(instance)}


# One declared field per cohort field, so the OpenAPI schema documents the interchange format.
ChildSerializer = type(
    "ChildSerializer", (_ChildSerializerBase,),
    {"__doc__": "A child in the cohort interchange format (docs/cohort-format.md), plus its id.",
     **{spec.name: _child_field(spec) for spec in cohort.FIELDS}},
)


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AgencySerializer

    def get_queryset(self):
        return selectors.agency_list_for_user(user=self.request.user)


class PanelViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PanelSerializer
    filterset_fields = ["kind"]

    def get_queryset(self):
        return selectors.panel_list_for_user(user=self.request.user)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**31 - 1})
class IdFilter(django_filters.NumberFilter):
    """An object's id as a plain integer filter (not a choice among every object: an id the caller may not know
    answers like one that does not exist), bounded so the database never sees an out-of-range number."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(*args, **kwargs)


class MeetingFilter(django_filters.FilterSet):
    panel = IdFilter(field_name="panel_id")

    class Meta:
        model = Meeting
        fields = ["panel", "status"]


class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    query_parameters = {"list": {"upcoming"}}

    def get_queryset(self):
        return selectors.meeting_list_for_user(user=self.request.user).order_by("starts_at")

    @extend_schema(parameters=[OpenApiParameter("upcoming", bool, description="true: only meetings not yet started")])
    def list(self, request, *args, **kwargs):
        upcoming = parse_flag(request.query_params.get("upcoming"))
        if upcoming is None:
            raise serializers.ValidationError({"upcoming": ["Give true or false."]})
        status = request.query_params.get("status")
        if status is not None and status not in MeetingStatus.values:  # "" too: the filter would ignore it
            raise serializers.ValidationError({"status": [f"Give one of {', '.join(MeetingStatus.values)}."]})
        queryset = self.filter_queryset(self.get_queryset())
        if upcoming:
            queryset = queryset.filter(starts_at__gte=timezone.now())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses=InviteeSerializer(many=True))
    @action(detail=True, serializer_class=InviteeSerializer, pagination_class=None, filterset_class=None)
    def invitees(self, request, pk=None, format=None):  # format: the router's .json suffix
        try:
            access = selectors.meeting_get_for_user(user=request.user, meeting_id=int(pk))
        except ValueError:
            raise Http404("No such meeting") from None
        return Response(InviteeSerializer(selectors.meeting_invitees(meeting=access.meeting), many=True).data)


class NetworkMemberSerializer(serializers.Serializer):
    """Someone in the child's network: a Convene user, or a contact without a login (``user`` null)."""

    id = serializers.IntegerField(source="pk")
    role = serializers.CharField()
    name = serializers.CharField(source="display_name")
    email = serializers.CharField(source="contact_email")
    phone = serializers.CharField()
    agency = serializers.SerializerMethodField()
    user = serializers.IntegerField(source="user_id", allow_null=True)
    is_family = serializers.BooleanField()
    attends_remotely = serializers.BooleanField()

    def get_agency(self, member) -> str | None:
        agency = member.contact_agency
        return agency.name if agency else None


class PlanRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    setting = serializers.CharField()
    goal = serializers.CharField()
    how = serializers.CharField()
    who = serializers.CharField()
    by_when = serializers.DateField(allow_null=True)
    progress = serializers.CharField()


class PathwayPlanSerializer(serializers.Serializer):
    pathway = serializers.CharField(source="pathway.name")
    pathway_id = serializers.IntegerField(source="pathway.pk")
    nobody_responsible_before_release = serializers.BooleanField(source="unowned")
    rows = serializers.SerializerMethodField()

    @extend_schema_field(PlanRowSerializer(many=True))
    def get_rows(self, plan):
        return PlanRowSerializer(plan.custody + plan.community, many=True).data


class FlagSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()


class ResettlementPlanSerializer(serializers.Serializer):
    """The child's resettlement plan by pathway, their own words and the youth-to-adult (Y2A) record."""

    who_are_you = serializers.CharField(source="words.who_are_you")
    who_do_you_want_to_be = serializers.CharField(source="words.who_do_you_want_to_be")
    strengths_and_goals = serializers.CharField(source="words.strengths_and_goals")
    how_will_you_get_there = serializers.CharField(source="words.how_will_you_get_there")
    pathways = PathwayPlanSerializer(many=True)
    transfer_decision = serializers.CharField(source="child.transfer_decision", allow_null=True)
    transfer_reason = serializers.CharField(source="words.transfer_reason")
    probation_officer = serializers.CharField(source="probation_officer.display_name", allow_null=True,
                                              default=None)
    y2a_flags = FlagSerializer(many=True)


class ChildViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ChildSerializer
    filterset_fields = ["legal_status"]

    def get_queryset(self):
        return selectors.child_list_for_user(user=self.request.user)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        children = list(page if page is not None else queryset)
        audit_children_read(actor=request.user, action="children.listed", children=children, request=request,
                            detail={"via": "api"})
        data = self.get_serializer(children, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        child = self.get_object()
        audit_record(actor=request.user, action="child.viewed", child=child, request=request, detail={"via": "api"})
        return Response(self.get_serializer(child).data)

    def _child(self, request, pk):
        try:
            return selectors.child_get_for_user(user=request.user, child_id=int(pk))
        except ValueError:
            raise Http404("No such child") from None

    @extend_schema(responses=NetworkMemberSerializer(many=True))
    @action(detail=True, serializer_class=NetworkMemberSerializer, pagination_class=None,
            filter_backends=[])
    def network(self, request, pk=None, format=None):
        child = self._child(request, pk)
        audit_record(actor=request.user, action="child.network_viewed", child=child, request=request,
                     detail={"via": "api"})
        return Response(NetworkMemberSerializer(record_selectors.network_for_child(child=child), many=True).data)

    @extend_schema(responses=ResettlementPlanSerializer)
    @action(detail=True, serializer_class=ResettlementPlanSerializer, pagination_class=None,
            filter_backends=[])
    def plan(self, request, pk=None, format=None):
        child = self._child(request, pk)
        audit_record(actor=request.user, action="child.plan_viewed", child=child, request=request,
                     detail={"via": "api"})
        view = record_selectors.resettlement_view(child=child, today=timezone.localdate())
        return Response(ResettlementPlanSerializer(view).data)
