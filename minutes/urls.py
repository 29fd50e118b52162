from django.urls import path

from minutes.views import actions, approval, approved, children, cockpit, record

urlpatterns = [
    path("meetings/<int:meeting_id>/minutes/", record.minutes_page, name="minutes_page"),
    path("meetings/<int:meeting_id>/minutes/decisions", record.decision_add, name="minutes_decision_add"),
    path("meetings/<int:meeting_id>/minutes/actions", record.action_add, name="minutes_action_add"),
    path("meetings/<int:meeting_id>/minutes/attendance", record.attendance_add, name="minutes_attendance_add"),
    path("meetings/<int:meeting_id>/minutes/approve", approval.minutes_approve, name="minutes_approve"),
    path("meetings/<int:meeting_id>/minutes/reviews", record.review_set, name="minutes_review_set"),
    path("meetings/<int:meeting_id>/run/", cockpit.cockpit_page, name="cockpit"),
    path("meetings/<int:meeting_id>/run/focus", cockpit.cockpit_focus, name="cockpit_focus"),
    path("meetings/<int:meeting_id>/run/<str:key>/", cockpit.cockpit_item, name="cockpit_item"),
    path("meetings/<int:meeting_id>/run/<str:key>/records", cockpit.cockpit_records, name="cockpit_records"),
    path("meetings/<int:meeting_id>/run/<str:key>/record", cockpit.cockpit_record, name="cockpit_record"),
    path("meetings/<int:meeting_id>/minutes/approved/", approved.approved_minutes, name="minutes_approved"),
    path("meetings/<int:meeting_id>/minutes/approved/<int:number>/", approved.approved_minutes,
         name="minutes_approved_revision"),
    path("meetings/<int:meeting_id>/minutes/approved/<int:number>.<str:fmt>", approved.approved_minutes_download,
         name="minutes_approved_download"),
    path("meetings/<int:meeting_id>/minutes/approved/<int:number>/corrections", approval.correction_add,
         name="minutes_correction_add"),
    path("meetings/<int:meeting_id>/minutes/corrections/<int:correction_id>/decline", approval.correction_decline,
         name="minutes_correction_decline"),
    path("actions/", actions.my_actions, name="my_actions"),
    path("actions/<int:action_id>/", actions.action_detail, name="action_detail"),
    path("actions/<int:action_id>/link/<str:token>/", actions.action_link, name="action_link"),
    path("panels/<int:panel_id>/actions/", actions.action_register_page, name="action_register"),
    path("children/<int:child_id>/timeline/", children.child_timeline_page, name="child_timeline"),
    path("children/<int:child_id>/plan.<str:fmt>", children.child_plan_document, name="child_plan_document"),
    path("my-children/", children.my_children, name="my_children"),
]
