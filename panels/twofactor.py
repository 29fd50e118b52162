"""Two-factor sign-in (django-otp, TOTP): who must use it, and the middleware that holds them to it.

After a password sign-in the session is *authenticated* but not *verified*. A user who has an
authenticator app set up (a confirmed device) is sent to the verify step; a user whose role requires
two-factor (``panels.permissions.requires_two_factor``) but has none is sent to enrol. Until then they
reach only the two-factor pages, sign-out and static files; the API answers 403 with a JSON body.
"""

from __future__ import annotations

import secrets
import time
from base64 import b32encode
from urllib.parse import quote

import segno
from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from markupsafe import Markup

from panels.enums import MembershipRole
from panels.models import PanelMembership
from panels.permissions import Viewer, requires_two_factor

BACKUP_CODE_COUNT = 8
# Pages an authenticated but unverified user may still reach.
OPEN_URL_NAMES = ("two_factor_verify", "two_factor_enrol", "logout", "healthz")
OPTIONAL_UNTIL_KEY = "_convene_2fa_optional_until"


def user_requires_two_factor(user) -> bool:
    viewer = Viewer.of(user)
    if requires_two_factor(viewer, chairs_a_panel=False):
        return True
    chairs = PanelMembership.objects.filter(user=user, role=MembershipRole.CHAIR, panel__is_active=True).exists()
    return requires_two_factor(viewer, chairs_a_panel=chairs)


def two_factor_state(user) -> str:
    """``verified`` | ``verify`` (has a device, not yet used this session) | ``enrol`` (required, no device)
    | ``optional`` (not required, no device)."""
    if user.is_verified():
        return "verified"
    if user_has_device(user, confirmed=True):
        return "verify"
    if user_requires_two_factor(user):
        return "enrol"
    return "optional"


class TwoFactorMiddleware:
    """After django_otp.middleware.OTPMiddleware: send a required-but-unverified user to enrol or verify."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.TWO_FACTOR_ENFORCED:
            response = self._gate(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _gate(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        path = request.path_info
        if path.startswith(settings.STATIC_URL) or path in {reverse(name) for name in OPEN_URL_NAMES}:
            return None
        if user.is_verified():
            return None
        # "Not needed" is remembered for a minute, so a partner without an app costs no queries on most requests;
        # becoming a chair (or enrolling) takes effect within that minute.
        now = int(time.time())
        if request.session.get(OPTIONAL_UNTIL_KEY, 0) > now:
            return None
        state = two_factor_state(user)
        if state == "optional":
            request.session[OPTIONAL_UNTIL_KEY] = now + settings.SESSION_REFRESH_SECONDS
            return None
        if state == "verified":
            return None
        if path.startswith("/api/"):
            return JsonResponse(
                {"detail": "Two-factor verification required: sign in through the website and enter your code."},
                status=403,
            )
        target = "two_factor_verify" if state == "verify" else "two_factor_enrol"
        return redirect(f"{reverse(target)}?next={quote(request.get_full_path())}")


# --- enrolment ------------------------------------------------------------------------------------

def pending_device(user) -> TOTPDevice:
    """The unconfirmed authenticator device being set up (one per user, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The key as an authenticator app asks for it: base32 in groups of four."""
    raw = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> Markup:
    """The otpauth:// URL as an inline SVG QR code (segno writes no script, only paths)."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#0b0c0c", light="#ffffff",
                                                             title="QR code for your authenticator app")
    return Markup(svg)  # noqa: S704 (segno output, no user input beyond the escaped username in the URL)


@transaction.atomic
def confirm_device(device: TOTPDevice) -> list[str]:
    """Confirm the authenticator device; replace the user's backup codes and return them (shown once)."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=device.user).delete()
    backup = StaticDevice.objects.create(user=device.user, name="Backup codes", confirmed=True)
    codes = [secrets.token_hex(4) for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=backup, token=code) for code in codes])
    return codes


# --- websockets -----------------------------------------------------------------------------------

def _socket_user_state(user, session) -> str:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.models import Device

    persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    if persistent_id:
        device = Device.from_persistent_id(persistent_id)
        if device is not None and device.user_id == user.pk:
            return "verified"
    if user_has_device(user, confirmed=True):
        return "verify"
    return "enrol" if user_requires_two_factor(user) else "optional"


class TwoFactorWebsocketMiddleware:
    """Inside channels' AuthMiddlewareStack: a socket whose session has not passed the second step (when the user
    needs it) is treated as anonymous, so every consumer refuses it as it refuses anyone signed out."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        from channels.db import database_sync_to_async
        from django.contrib.auth.models import AnonymousUser

        user = scope.get("user")
        if settings.TWO_FACTOR_ENFORCED and user is not None and user.is_authenticated:
            state = await database_sync_to_async(_socket_user_state)(user, scope.get("session"))
            if state in ("verify", "enrol"):
                scope = {**scope, "user": AnonymousUser()}
        return await self.inner(scope, receive, send)
