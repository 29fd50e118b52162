from django.urls import path

from notifications import views

urlpatterns = [
    path("actions/<int:action_id>/escalate", views.action_escalate, name="action_escalate"),
    path("account/emails/", views.email_preferences, name="email_preferences"),
    path("panels/<int:panel_id>/reminders/", views.reminder_settings, name="reminder_settings"),
]
