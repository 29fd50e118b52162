from django.urls import path

from minutes import cockpit_views, views

urlpatterns = [
    path("meetings/<int:meeting_id>/minutes/", views.minutes_page, name="minutes_page"),
    path("meetings/<int:meeting_id>/minutes/decisions", views.decision_add, name="minutes_decision_add"),
    path("meetings/<int:meeting_id>/minutes/actions", views.action_add, name="minutes_action_add"),
    path("meetings/<int:meeting_id>/minutes/attendance", views.attendance_add, name="minutes_attendance_add"),
    path("meetings/<int:meeting_id>/minutes/approve", views.minutes_approve, name="minutes_approve"),
    path("meetings/<int:meeting_id>/minutes/reviews", views.review_set, name="minutes_review_set"),
    path("meetings/<int:meeting_id>/run/", cockpit_views.cockpit_page, name="cockpit"),
    path("meetings/<int:meeting_id>/run/focus", cockpit_views.cockpit_focus, name="cockpit_focus"),
    path("meetings/<int:meeting_id>/run/<str:key>/", cockpit_views.cockpit_item, name="cockpit_item"),
    path("meetings/<int:meeting_id>/run/<str:key>/records", cockpit_views.cockpit_records, name="cockpit_records"),
    path("meetings/<int:meeting_id>/run/<str:key>/record", cockpit_views.cockpit_record, name="cockpit_record"),
    path("meetings/<int:meeting_id>/minutes/approved/", views.approved_minutes, name="minutes_approved"),
    path("meetings/<int:meeting_id>/minutes/approved/<int:number>/", views.approved_minutes,
         name="minutes_approved_revision"),
    path("meetings/<int:meeting_id>/minutes/approved/<int:number>.<str:fmt>", views.approved_minutes_download,
         name="minutes_approved_download"),
    path("meetings/<int:meeting_id>/minutes/approved/<int:number>/corrections", views.correction_add,
         name="minutes_correction_add"),
    path("meetings/<int:meeting_id>/minutes/corrections/<int:correction_id>/decline", views.correction_decline,
         name="minutes_correction_decline"),
    path("actions/", views.my_actions, name="my_actions"),
    path("actions/<int:action_id>/", views.action_detail, name="action_detail"),
    path("actions/<int:action_id>/link/<str:token>/", views.action_link, name="action_link"),
    path("panels/<int:panel_id>/actions/", views.action_register_page, name="action_register"),
    path("children/<int:child_id>/timeline/", views.child_timeline_page, name="child_timeline"),
    path("children/<int:child_id>/plan.<str:fmt>", views.child_plan_document, name="child_plan_document"),
    path("my-children/", views.my_children, name="my_children"),
]
