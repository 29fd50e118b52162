"""Idle expiry of sessions: a session ends SESSION_COOKIE_AGE seconds after the user's last request, and
SESSION_MAX_HOURS after sign-in however active it is (absolute lifetime).

Django's SESSION_SAVE_EVERY_REQUEST would write the session row on every request (one more query on every page,
and write contention on SQLite); instead the last-seen time is refreshed at most once a SESSION_REFRESH_SECONDS,
which moves the stored expiry forward with it. A session idle for longer than SESSION_COOKIE_AGE is refused
here too, not only by the session store's expiry date.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

SEEN_KEY = "_convene_seen"
SIGNED_IN_KEY = "_convene_signed_in"  # when the password was given: SESSION_MAX_HOURS later the session ends


def _now() -> int:
    return int(time.time())


class IdleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = _now()
            seen = session.get(SEEN_KEY)
            signed_in = session.get(SIGNED_IN_KEY)
            if isinstance(seen, int) and now - seen > settings.SESSION_COOKIE_AGE:
                logout(request)  # idle too long: signed out, sent to sign in again by login_required
            elif isinstance(signed_in, int) and now - signed_in > settings.SESSION_MAX_HOURS * 3600:
                logout(request)  # however busy: a session lasts a working day at most
            elif not isinstance(seen, int) or now - seen >= settings.SESSION_REFRESH_SECONDS:
                session[SEEN_KEY] = now  # marks the session modified: saved with a new expiry
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="convene_session_seen_at_login")
def _seen_at_login(sender, request, user, **kwargs) -> None:
    if request is not None and getattr(request, "session", None) is not None:
        request.session[SEEN_KEY] = request.session[SIGNED_IN_KEY] = _now()


class SocketSessionMiddleware:
    """The session of a websocket, read from its cookie (inside Channels' CookieMiddleware, before its
    AuthMiddleware): Channels' SessionMiddleware without its ``send`` wrapper.

    That wrapper looks at every message a socket sends, to save the session when an HTTP response starts, which a
    socket never does (nothing on a socket writes the session); on live minutes it cost as much CPU as the ASGI
    server's own framing, a tenth of a worker's at full load (bench/minutes_load.py, docs/performance.md). The
    session store refuses an expired session as it does for pages (the socket is then anonymous and refused)."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        from importlib import import_module

        if "cookies" not in scope:
            raise ValueError("SocketSessionMiddleware needs to run inside Channels' CookieMiddleware")
        store = import_module(settings.SESSION_ENGINE).SessionStore
        session = store(scope["cookies"].get(settings.SESSION_COOKIE_NAME))
        return await self.inner({**scope, "session": session}, receive, send)
