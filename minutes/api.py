"""REST API for minutes: approved records per audience, and the meeting's event log to resume from."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from minutes import presenters, services
from panels import permissions
from panels.audit import audit_children_read
from panels.parsing import MAX_ID, MAX_INT, parse_id
from panels.selectors import current_establishments, meeting_get_for_user


class SectionSerializer(serializers.Serializer):
    label = serializers.CharField()
    restricted = serializers.BooleanField()
    text = serializers.CharField()


class RecordActionSerializer(serializers.Serializer):
    description = serializers.CharField()
    owner = serializers.CharField()
    owner_agency = serializers.CharField()
    due_date = serializers.DateField()
    status = serializers.CharField()


class RecordAttendanceSerializer(serializers.Serializer):
    name = serializers.CharField()
    agency = serializers.CharField()
    status = serializers.CharField()


class RecordItemSerializer(serializers.Serializer):
    child_id = serializers.IntegerField(allow_null=True)
    reference = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    sections = SectionSerializer(many=True)
    decisions = serializers.ListField(child=serializers.CharField())
    actions = RecordActionSerializer(many=True)
    attendance = RecordAttendanceSerializer(many=True)
    review_by = serializers.DateField(allow_null=True)


class RecordSerializer(serializers.Serializer):
    meeting_id = serializers.IntegerField()
    revision = serializers.IntegerField()
    approved_at = serializers.DateTimeField()
    approved_by = serializers.CharField()
    reason = serializers.CharField()
    audience = serializers.ChoiceField(choices=list(presenters.AUDIENCES))
    hidden_items = serializers.IntegerField()
    items = RecordItemSerializer(many=True)


class ApprovedMinutesView(APIView):
    """The approved minutes of a meeting, as the caller may read them (the same rendering as the page)."""

    query_parameters = {"get": {"revision", "audience", "agency"}}

    @extend_schema(responses=RecordSerializer, parameters=[
        OpenApiParameter("revision", {"type": "integer", "minimum": 1, "maximum": MAX_INT},
                         description="A revision number (default: the latest); anything else is a 400"),
        OpenApiParameter("audience", str, enum=list(presenters.AUDIENCES)),
        OpenApiParameter("agency", {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                         description="For audience=agency: the agency (chair and coordinator only)"),
    ])
    def get(self, request, meeting_id: int):
        access = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
        revisions = access.meeting.minutes_revisions.select_related("approved_by").order_by("-number")
        number = request.query_params.get("revision")
        if number is not None and not parse_id(number, maximum=MAX_INT):
            raise serializers.ValidationError({"revision": ["Give the revision's number (1, 2, ...)."]})
        audience = request.query_params.get("audience")
        if audience is not None and audience not in presenters.AUDIENCES:
            raise serializers.ValidationError({"audience": [f"Choose one of {', '.join(presenters.AUDIENCES)}."]})
        agency_id = request.query_params.get("agency")
        if agency_id is not None and not parse_id(agency_id):
            raise serializers.ValidationError({"agency": ["Give the agency's id (1, 2, ...)."]})
        revision = revisions.filter(number=int(number)).first() if number else revisions.first()
        if revision is None:
            raise Http404("No approved minutes")
        audience, viewer, _agency = presenters.audience_resolve(
            access=access, user=request.user, audience=audience, agency_id=agency_id)
        record = presenters.record_for(revision=revision, viewer=viewer, audience=audience)
        audit_children_read(actor=request.user, action="minutes.record_viewed", children=record.items,
                            meeting=access.meeting, request=request,
                            detail={"revision": revision.number, "audience": audience, "via": "api"})
        return Response(RecordSerializer(presenters.record_as_dict(record)).data)


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    child_id = serializers.IntegerField(allow_null=True)
    payload = serializers.DictField()
    created_at = serializers.DateTimeField()


class EventsSerializer(serializers.Serializer):
    events = EventSerializer(many=True)
    last_id = serializers.IntegerField()
    refresh = serializers.BooleanField(help_text="Too far behind: reload the page instead of applying events.")


class MeetingEventsView(APIView):
    """The meeting's structured changes after ``after`` (a client's last id), oldest first. Events about
    children the caller may not see are left out; ids still increase, so a client never misses one."""

    query_parameters = {"get": {"after"}}

    @extend_schema(responses=EventsSerializer, parameters=[OpenApiParameter(
        "after", {"type": "integer", "minimum": 0, "maximum": MAX_ID}, required=True,
        description="The id of the last event the client has (0 for all); anything else is a 400")])
    def get(self, request, meeting_id: int):
        access = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
        after = request.query_params.get("after", "")
        if parse_id(after) is None:
            raise serializers.ValidationError({"after": ["Give the id of the last event you have (0 for all)."]})
        events, refresh = services.events_since(meeting=access.meeting, after=int(after))
        service_id = access.meeting.panel.service_id
        held = current_establishments({e.child_id for e in events if e.child_id})
        visible = [e for e in events if e.child_id is None or permissions.can_view_child_in_meeting(
            access.viewer, service_id=service_id, establishment_id=held.get(e.child_id), can_view_meeting=True,
            child_id=e.child_id)]
        child_ids = sorted({e.child_id for e in visible if e.child_id is not None})
        if child_ids and not refresh:  # the ids suffice (the reference is the child's while it exists)
            audit_children_read(actor=request.user, action="minutes.events_read", meeting=access.meeting,
                                children=[(pk, "") for pk in child_ids], request=request,
                                detail={"after": int(after), "via": "api"})
        last = events[-1].id if events else int(after)
        return Response(EventsSerializer({"events": [] if refresh else visible, "last_id": last,
                                          "refresh": refresh}).data)
