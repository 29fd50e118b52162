from django.urls import path

from agendas import views
from agendas.oversight import views as oversight_views

urlpatterns = [
    path("meetings/<int:meeting_id>/agenda/", views.meeting_agenda, name="meeting_agenda"),
    path("meetings/<int:meeting_id>/agenda/rebuild", views.agenda_rebuild, name="agenda_rebuild"),
    path("meetings/<int:meeting_id>/agenda/add", views.agenda_add, name="agenda_add"),
    path("meetings/<int:meeting_id>/agenda/items/<int:item_id>/remove", views.agenda_remove, name="agenda_remove"),
    path("meetings/<int:meeting_id>/agenda/items/<int:item_id>/slot", views.agenda_slot, name="agenda_slot"),
    path("meetings/<int:meeting_id>/agenda/items/<int:item_id>/invite", views.agenda_slot_invite,
         name="agenda_slot_invite"),
    path("meetings/<int:meeting_id>/agenda/items/<int:item_id>/invitations/<int:link_id>/withdraw",
         views.agenda_slot_uninvite, name="agenda_slot_uninvite"),
    path("meetings/<int:meeting_id>/agenda/slots", views.agenda_assign_slots, name="agenda_assign_slots"),
    path("meetings/<int:meeting_id>/agenda/publish", views.agenda_publish, name="agenda_publish"),
    path("meetings/<int:meeting_id>/agenda/pack.<str:fmt>", views.agenda_pack, name="agenda_pack"),
    path("panels/<int:panel_id>/forward-look/", views.forward_look, name="panel_forward_look"),
    path("panels/<int:panel_id>/rules/", views.rule_settings, name="panel_rule_settings"),
    path("panels/<int:panel_id>/referrals/", views.referral_list, name="panel_referrals"),
    path("children/<int:child_id>/refer/", views.referral_new, name="child_refer"),
    path("children/<int:child_id>/agendas/", views.child_agendas, name="child_agendas"),
    # oversight (issue 17): service managers, strategic leads and chairs (permissions.can_view_reports)
    path("oversight/", oversight_views.oversight_index, name="oversight_index"),
    path("oversight/board/", oversight_views.oversight_board, name="oversight_board"),
    path("oversight/board.pdf", oversight_views.oversight_board_pdf, name="oversight_board_pdf"),
    path("oversight/<slug:report>/", oversight_views.oversight_report, name="oversight_report"),
    path("oversight/<slug:report>/children", oversight_views.oversight_children, name="oversight_children"),
    path("oversight/<slug:report>.<str:fmt>", oversight_views.oversight_download, name="oversight_download"),
]
