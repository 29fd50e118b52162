"""Sign-ins, sign-outs and failed sign-ins go into the audit log (who, when, from where)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from panels.audit import audit_record


@receiver(user_logged_in, dispatch_uid="convene_audit_login")
def _logged_in(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action="auth.login", request=request)


@receiver(user_logged_out, dispatch_uid="convene_audit_logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(actor=user, action="auth.logout", request=request)


@receiver(user_login_failed, dispatch_uid="convene_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit_record(actor=None, action="auth.login_failed", request=request, detail={"username": username})
