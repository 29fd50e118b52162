"""REST API for agendas, items, versions and referrals: the same selectors and rules as the pages."""

from __future__ import annotations

import re

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from agendas import services
from agendas.models import AgendaItem, Referral
from agendas.presenters import agenda_view_for
from panels import selectors as panel_selectors
from panels.api import IdFilter
from panels.audit import audit_children_read
from panels.models import Child, Panel, User
from panels.parsing import MAX_ID, MAX_INT, parse_flag


# --- strict input: JSON types as the schema states them (DRF would turn 5 into "5", "5" into 5, "yes" into True),
# lengths counted on what was sent, and no field the schema does not list (a misspelt field is not silently
# ignored); a breach is a 400 naming the field. A request that matches the schema but breaks a rule (an id that
# does not exist for the caller, a slot outside the meeting, a decline without a note) is a 422, so that 400 always
# means "does not match the schema" (tests/security/test_api_contract.py holds the API to that).
class StrictCharField(serializers.CharField):
    """Text as sent: a string, at most ``max_length`` characters before trimming, no NUL; a required one must
    hold more than white space (the schema says so with a pattern: config/openapi.py)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictTimeField(serializers.TimeField):
    """A wall-clock time, ``HH:MM`` or ``HH:MM:SS`` (24-hour), nothing else (DRF would take ``10:00Z``)."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or not TIME_RE.fullmatch(data):
            self.fail("invalid", format="hh:mm")
        return super().to_internal_value(data)


TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
TIME_RE = re.compile(TIME_PATTERN.strip("^$"))


class StrictInput(serializers.Serializer):
    """An input body: a JSON object with only the fields listed (additionalProperties: false in the schema)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                raise serializers.ValidationError({key: ["Not a field of this request."] for key in unknown})
        return super().to_internal_value(data)


def unprocessable(body: dict) -> Response:
    return Response(body, status=status.HTTP_422_UNPROCESSABLE_ENTITY)


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.CharField()
    due = serializers.DateField(allow_null=True)
    late = serializers.BooleanField()
    explanation = serializers.CharField()


class ItemSerializer(serializers.Serializer):
    id = serializers.SerializerMethodField()
    child_id = serializers.IntegerField()
    reference = serializers.CharField()
    name = serializers.CharField()
    state = serializers.CharField()
    late = serializers.BooleanField()
    reasons = ReasonSerializer(many=True)
    slot_start = serializers.CharField(allow_null=True)
    slot_minutes = serializers.IntegerField(allow_null=True)
    presenter = serializers.CharField(allow_null=True)
    version = serializers.SerializerMethodField()

    def get_id(self, obj) -> int | None:
        return obj.item.pk if obj.item else None

    def get_version(self, obj) -> int | None:
        return obj.item.version if obj.item else None


class AgendaSerializer(serializers.Serializer):
    meeting = serializers.IntegerField()
    working = serializers.BooleanField()
    version = serializers.IntegerField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    changes = serializers.DictField(allow_null=True)
    items = ItemSerializer(many=True)


def _meeting_access(request, meeting_id) -> panel_selectors.MeetingAccess:
    try:
        return panel_selectors.meeting_get_for_user(user=request.user, meeting_id=int(meeting_id))
    except (TypeError, ValueError):
        raise Http404("No such meeting") from None


def _visible_changes(view, access: panel_selectors.MeetingAccess) -> dict:
    """A version's changes, naming only the children the caller may see in the meeting (partners: those in
    their view of the version; the service's staff: all)."""
    changes = view.version.changes or {}
    if access.viewer.is_staff_of(access.meeting.panel.service_id):
        return changes
    seen = {item.reference for item in view.items}
    return {kind: [e for e in entries if (e["reference"] if isinstance(e, dict) else e) in seen]
            for kind, entries in changes.items()}


def _validation_response(exc: ValidationError) -> Response:
    """A rule of the service refused a schema-valid request: 422, naming the field."""
    return unprocessable(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class MeetingAgendaView(APIView):
    """The agenda of a meeting as the caller may see it: the working agenda for the service's staff, the
    latest published version (only the children they are entitled to) for partners."""

    query_parameters = {"get": {"published"}}

    @extend_schema(responses=AgendaSerializer, parameters=[OpenApiParameter(
        "published", bool, description="true: the latest published version, also for the service's staff")])
    def get(self, request, meeting_id: int):
        access = _meeting_access(request, meeting_id)
        published = parse_flag(request.query_params.get("published"))
        if published is None:
            raise serializers.ValidationError({"published": ["Give true or false."]})
        view = agenda_view_for(access=access, published_only=published)
        audit_children_read(actor=request.user, action="agenda.viewed", children=view.items, meeting=access.meeting,
                            request=request, detail={"version": view.version.number if view.version else None,
                                                     "working": view.working, "via": "api"})
        data = {
            "meeting": access.meeting.pk, "working": view.working,
            "version": view.version.number if view.version else None,
            "published_at": view.version.published_at if view.version else None,
            "changes": _visible_changes(view, access) if view.version else None, "items": view.items,
        }
        return Response(AgendaSerializer(data).data)


class PublishInput(StrictInput):
    """Publish the working agenda as a new version (422 when nothing changed or the note names a child)."""

    note = StrictCharField(max_length=500, required=False, allow_blank=True)


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    changes = serializers.DictField()
    note = serializers.CharField()


class AgendaVersionsView(APIView):
    """Every published version of a meeting's agenda: number, date, what changed (no item contents)."""

    @extend_schema(responses=VersionSerializer(many=True))
    def get(self, request, meeting_id: int):
        access = _meeting_access(request, meeting_id)
        versions = access.meeting.agenda_versions.order_by("number")
        if not access.viewer.is_staff_of(access.meeting.panel.service_id):
            # partners learn which versions exist, not which children changed
            return Response([{"number": v.number, "published_at": v.published_at, "changes": {}, "note": v.note}
                             for v in versions])
        return Response(VersionSerializer(versions, many=True).data)


class AgendaPublishView(APIView):
    @extend_schema(request=PublishInput, responses={201: VersionSerializer})
    def post(self, request, meeting_id: int):
        access = _meeting_access(request, meeting_id)
        if not access.can_manage:
            raise Http404("No such meeting")
        data = PublishInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            version = services.agenda_publish(meeting=access.meeting, actor=request.user,
                                              note=data.validated_data.get("note", ""))
        except ValidationError as exc:
            return _validation_response(exc)
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


class SlotInput(StrictInput):
    """A child's slot: send the item's ``version``; start and length together, or both null to clear it."""

    version = StrictIntegerField(min_value=1, max_value=MAX_INT)
    slot_start = StrictTimeField(allow_null=True, help_text="HH:MM (24-hour, the panel's local time)")
    slot_minutes = StrictIntegerField(allow_null=True, min_value=5, max_value=240)
    presenter = StrictIntegerField(allow_null=True, required=False, min_value=1, max_value=MAX_ID,
                                   help_text="A user of the panel's service (422 otherwise)")


class SlotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    slot_start = serializers.CharField(allow_null=True)
    slot_minutes = serializers.IntegerField(allow_null=True)


class SlotConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    version = serializers.IntegerField(help_text="The item's current version")


class AgendaItemSlotView(APIView):
    """Set a child's slot. Send the item's ``version``; a stale version gets 409 with the current item."""

    @extend_schema(request=SlotInput, responses={200: SlotSerializer, 409: SlotConflictSerializer})
    def patch(self, request, item_id: int):
        item = AgendaItem.objects.select_related("meeting", "child").filter(pk=item_id).first()
        if item is None:
            raise Http404("No such item")
        access = _meeting_access(request, item.meeting_id)
        if not access.can_manage:
            raise Http404("No such item")
        data = SlotInput(data=request.data)
        data.is_valid(raise_exception=True)
        presenter = None
        if data.validated_data.get("presenter"):
            presenter = User.objects.filter(pk=data.validated_data["presenter"],
                                            agency_id=access.meeting.panel.service_id).first()
            if presenter is None:
                return unprocessable({"presenter": ["No such person in this service."]})
        try:
            item = services.agenda_item_update(
                item=item, actor=request.user, expected_version=data.validated_data["version"],
                slot_start=data.validated_data["slot_start"], slot_minutes=data.validated_data["slot_minutes"],
                presenter=presenter,
            )
        except services.AgendaConflict as exc:
            return Response({"detail": str(exc), "version": exc.item.version}, status=status.HTTP_409_CONFLICT)
        except ValidationError as exc:
            return _validation_response(exc)
        return Response({"id": item.pk, "version": item.version,
                         "slot_start": item.slot_start.strftime("%H:%M") if item.slot_start else None,
                         "slot_minutes": item.slot_minutes})


class ReferralSerializer(serializers.ModelSerializer):
    child_reference = serializers.CharField(source="child.reference", read_only=True)

    class Meta:
        model = Referral
        fields = ["id", "panel", "child", "child_reference", "reason", "status", "decision_note", "created_at",
                  "decided_at"]
        read_only_fields = fields


class ReferralInput(StrictInput):
    """Ask a panel to discuss a child."""

    # the same answer (422) for an id that does not exist and one the caller may not know (see create)
    panel = StrictIntegerField(min_value=1, max_value=MAX_ID, help_text="A panel of the child's service")
    child = StrictIntegerField(min_value=1, max_value=MAX_ID, help_text="A child the caller may see")
    reason = StrictCharField(max_length=services.REFERRAL_REASON_MAX)


class DecisionInput(StrictInput):
    """Accept or decline a pending referral."""

    accept = StrictBooleanField()
    note = StrictCharField(max_length=500, required=False, allow_blank=True,
                           help_text="Required (not blank) when declining (accept: false): a 422 otherwise.")


class ReferralFilter(django_filters.FilterSet):
    panel = IdFilter(field_name="panel_id")

    class Meta:
        model = Referral
        fields = ["panel", "status"]


class ReferralViewSet(viewsets.GenericViewSet, viewsets.mixins.ListModelMixin,
                      viewsets.mixins.RetrieveModelMixin, viewsets.mixins.CreateModelMixin):
    """Referrals the caller made, or that wait on panels the caller chairs or coordinates."""

    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter
    queryset = Referral.objects.none()  # for the schema; get_queryset filters per user

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Referral.objects.none()
        managed = panel_selectors.panel_list_managed_by(user=self.request.user).values("pk")
        q = Q(referred_by=self.request.user) | Q(panel_id__in=managed)
        return Referral.objects.filter(q).select_related("child").order_by("-created_at")

    @extend_schema(request=ReferralInput, responses={201: ReferralSerializer})
    def create(self, request, *args, **kwargs):
        data = ReferralInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            child: Child = panel_selectors.child_get_for_user(user=request.user, child_id=data.validated_data["child"])
        except Http404:
            return unprocessable({"child": ["No such child."]})
        panel = Panel.objects.filter(pk=data.validated_data["panel"], service_id=child.service_id).first()
        if panel is None:  # another service's panel: as if it did not exist
            return unprocessable({"panel": ["No such panel."]})
        try:
            referral = services.referral_create(panel=panel, child=child, reason=data.validated_data["reason"],
                                                actor=request.user)
        except ValidationError as exc:
            return _validation_response(exc)
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionInput, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None, format=None):  # format: the router's .json suffix
        referral = self.get_object()
        access = panel_selectors.panel_get_for_user(user=request.user, panel_id=referral.panel_id)
        if not access.can_manage:
            raise Http404("No such referral")
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            referral = services.referral_decide(referral=referral, actor=request.user,
                                                accept=data.validated_data["accept"],
                                                note=data.validated_data.get("note", ""))
        except ValidationError as exc:
            return _validation_response(exc)
        return Response(ReferralSerializer(referral).data)
