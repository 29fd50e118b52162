from django.urls import path
from rest_framework.routers import DefaultRouter

from agendas.api import (
    AgendaItemSlotView,
    AgendaPublishView,
    AgendaVersionsView,
    MeetingAgendaView,
    ReferralViewSet,
)
from minutes.api import ApprovedMinutesView, MeetingEventsView
from panels.api import AgencyViewSet, ChildViewSet, MeetingViewSet, PanelViewSet

router = DefaultRouter()
router.register("agencies", AgencyViewSet, basename="agency")
router.register("panels", PanelViewSet, basename="panel")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("children", ChildViewSet, basename="child")
router.register("referrals", ReferralViewSet, basename="referral")

urlpatterns = [
    path("meetings/<int:meeting_id>/agenda/", MeetingAgendaView.as_view(), name="api_meeting_agenda"),
    path("meetings/<int:meeting_id>/agenda/publish/", AgendaPublishView.as_view(), name="api_agenda_publish"),
    path("meetings/<int:meeting_id>/agenda/versions/", AgendaVersionsView.as_view(), name="api_agenda_versions"),
    path("agenda-items/<int:item_id>/slot/", AgendaItemSlotView.as_view(), name="api_agenda_item_slot"),
    path("meetings/<int:meeting_id>/minutes/approved/", ApprovedMinutesView.as_view(), name="api_minutes_approved"),
    path("meetings/<int:meeting_id>/events/", MeetingEventsView.as_view(), name="api_meeting_events"),
    *router.urls,
]
