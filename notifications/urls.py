from django.urls import path

from notifications import views

urlpatterns = [
    path("actions/<int:action_id>/escalate", views.action_escalate, name="action_escalate"),
    path("accounts/emails/", views.email_preferences, name="email_preferences"),
    path("accounts/calendar/", views.calendar_settings, name="calendar_settings"),
    path("feeds/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("panels/<int:panel_id>/reminders/", views.reminder_settings, name="reminder_settings"),
    path("rsvp/<str:token>/", views.rsvp_link, name="rsvp"),
    path("meetings/<int:meeting_id>/rsvp", views.meeting_rsvp, name="meeting_rsvp"),
    path("meetings/<int:meeting_id>/delegations/<int:request_id>", views.delegation_decide,
         name="delegation_decide"),
    path("meetings/<int:meeting_id>/deliveries/", views.meeting_deliveries, name="meeting_deliveries"),
    path("panels/<int:panel_id>/deliveries/", views.panel_deliveries, name="panel_deliveries"),
    path("outbox/<int:message_id>/", views.outbox_message, name="outbox_message"),
    path("outbox/<int:message_id>/retry", views.outbox_message_retry, name="outbox_message_retry"),
    path("api/itip/replies/", views.itip_replies, name="itip_replies"),
]
