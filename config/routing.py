from django.urls import path

from minutes.live.consumer import MinutesConsumer
from notifications.consumers import MeetingEventsConsumer

websocket_urlpatterns = [
    path("ws/meetings/<int:meeting_id>/events", MeetingEventsConsumer.as_asgi()),
    path("ws/minutes/<str:room>", MinutesConsumer.as_asgi()),
]
