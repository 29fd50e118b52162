from django.urls import path

from minutes import views

urlpatterns = [
    path("meetings/<int:meeting_id>/minutes/", views.minutes_page, name="minutes_page"),
    path("meetings/<int:meeting_id>/minutes/decisions", views.decision_add, name="minutes_decision_add"),
    path("meetings/<int:meeting_id>/minutes/actions", views.action_add, name="minutes_action_add"),
    path("meetings/<int:meeting_id>/minutes/attendance", views.attendance_add, name="minutes_attendance_add"),
    path("meetings/<int:meeting_id>/minutes/approve", views.minutes_approve, name="minutes_approve"),
]
