"""Addresses that moved (one account prefix, accounts/) answer with a permanent redirect to where they went."""

from __future__ import annotations

import pytest

MOVED = [("/account/emails/", "/accounts/emails/"), ("/account/calendar/", "/accounts/calendar/")]


@pytest.mark.parametrize(("old", "new"), MOVED)
def test_an_old_address_redirects_permanently(client, db, old, new):
    assert client.get(old).status_code == 301


@pytest.mark.parametrize(("old", "new"), MOVED)
def test_an_old_address_redirects_to_its_new_place(client, db, old, new):
    assert client.get(old)["Location"] == new


def test_the_query_string_goes_along(client, db):
    assert client.get("/account/calendar/?new=1")["Location"] == "/accounts/calendar/?new=1"


def test_a_signed_in_user_lands_on_the_page(world, login):
    client = login(world, "invited_partner")
    assert client.get("/account/emails/", follow=True).status_code == 200
