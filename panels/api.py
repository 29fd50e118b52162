"""REST API for panels, meetings, children and agencies. Same selectors, same need-to-know as the pages."""

from __future__ import annotations

import django_filters
from django import forms
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from panels import cohort, selectors
from panels.audit import audit_children_read, audit_record
from panels.models import Agency, Meeting, MeetingInvitee, Panel
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
    {"__doc__": "A child in the cohort interchange format (cohort-format.md), plus its id.",
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

    def get_queryset(self):
        qs = selectors.meeting_list_for_user(user=self.request.user).order_by("starts_at")
        if self.request.query_params.get("upcoming") in ("1", "true"):
            qs = qs.filter(starts_at__gte=timezone.now())
        return qs

    @extend_schema(responses=InviteeSerializer(many=True))
    @action(detail=True, serializer_class=InviteeSerializer, pagination_class=None, filterset_class=None)
    def invitees(self, request, pk=None, format=None):  # format: the router's .json suffix
        try:
            access = selectors.meeting_get_for_user(user=request.user, meeting_id=int(pk))
        except ValueError:
            raise Http404("No such meeting") from None
        return Response(InviteeSerializer(selectors.meeting_invitees(meeting=access.meeting), many=True).data)


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
