from django.urls import path

from panels import record_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("panels/", views.panel_list, name="panel_list"),
    path("panels/<int:panel_id>/", views.panel_detail, name="panel_detail"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/status/<slug:action>", views.meeting_status, name="meeting_status"),
    path("meetings/<int:meeting_id>/change", views.meeting_change, name="meeting_change"),
    path("meetings/<int:meeting_id>/invitees/", views.meeting_invitee_add, name="meeting_invitee_add"),
    path("meetings/<int:meeting_id>/invitees/<int:invitee_id>/remove", views.meeting_invitee_remove,
         name="meeting_invitee_remove"),
    path("children/", views.child_list, name="child_list"),
    path("children/<int:child_id>/", views.child_detail, name="child_detail"),
    path("children/<int:child_id>/network/", record_views.child_network, name="child_network"),
    path("children/<int:child_id>/network/<int:member_id>/remove", record_views.child_network_remove,
         name="child_network_remove"),
    path("children/<int:child_id>/plan/", record_views.child_plan, name="child_plan"),
    path("children/<int:child_id>/plan/rows/<int:row_id>", record_views.child_plan_row, name="child_plan_row"),
    path("children/<int:child_id>/plan/words", record_views.child_words, name="child_words"),
    path("children/<int:child_id>/transfer-decision", record_views.child_transfer_decision,
         name="child_transfer_decision"),
    path("pathways/", record_views.pathway_list, name="pathway_list"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/<int:agency_id>/", views.agency_detail, name="agency_detail"),
    path("cohort/", views.cohort_import_list, name="cohort_import_list"),
    path("cohort/imports/<int:import_id>/", views.cohort_import_detail, name="cohort_import_detail"),
    path("cohort/imports/<int:import_id>/retry", views.cohort_import_retry_view, name="cohort_import_retry"),
    path("cohort/export.csv", views.cohort_export, name="cohort_export"),
    path("healthz", views.healthz, name="healthz"),
]
