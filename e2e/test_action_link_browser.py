"""A partner without an account opens an action from the link in an email and updates it."""

from __future__ import annotations


def test_an_emailed_link_opens_the_action_and_takes_an_update(server, browser):
    # the demo's actions are owned by named people: the link goes to the owner (an agency mailbox's link works
    # only while nobody is named)
    url, email = server["shell"](
        "from minutes.models import Action;from minutes.links import action_link_token;"
        "from django.urls import reverse;a=Action.objects.filter(status='open', owner__isnull=False).order_by('pk')"
        ".first();print(reverse('action_link', args=[a.pk, action_link_token(action_id=a.pk, user_id=a.owner_id, "
        "email=a.owner.email, agency_id=a.owner.agency_id)]), a.owner.email)").split()
    context = browser.new_context()
    page = context.new_page()
    page.goto(server["url"] + url)
    page.select_option("#update-status", "in_progress")
    page.fill("#update-note", "Visit booked for Tuesday.")
    page.click("button:has-text('Save')")
    page.wait_for_load_state()
    body = page.content()
    assert "Action updated." in body and "Visit booked for Tuesday." in body and email in body
    assert page.goto(server["url"] + "/actions/").url.startswith(server["url"] + "/accounts/login/")
    context.close()
