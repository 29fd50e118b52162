"""Sign-in security pages: lockout, two-factor verify and enrol, password reset, agency users, the audit log.

Every page answers 404 to a user who may not use it (IDs in URLs are not secrets)."""

from __future__ import annotations

from urllib.parse import urlencode, urlparse

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token

from panels import accounts, twofactor
from panels.account_forms import AuditFilterForm, EnrolForm, TokenForm
from panels.audit import audit_record
from panels.forms import error_text
from panels.models import User

# --- sign-in and lockout -------------------------------------------------------------------------


def locked_out(request, original_response=None, credentials=None, *args):
    """django-axes calls this when a username has had too many failed sign-ins: the sign-in page again, with a
    clear message, answered 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = AuthenticationForm(request)
    form.errors["__all__"] = form.error_class([
        f"Too many failed attempts to sign in. Signing in to this account is locked for {minutes} minutes. "
        "Try again later, or reset your password."
    ])
    return render(request, "registration/login.html", {"form": form, "locked_out": True}, status=429)


def _safe_next(request, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


# --- two-factor -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """The second step of sign-in for a user with an authenticator app."""
    if request.user.is_verified():
        return redirect(_safe_next(request))
    if not twofactor.user_has_device(request.user, confirmed=True):
        return redirect(f"{reverse_lazy('two_factor_enrol')}?{urlencode({'next': _safe_next(request)})}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            request.session.cycle_key()  # a new session id once fully signed in
            audit_record(actor=request.user, action="auth.two_factor_verified", request=request,
                         detail={"device": device.__class__.__name__})
            return redirect(_safe_next(request))
        audit_record(actor=request.user, action="auth.two_factor_failed", request=request)
        form.add_error("token", "That code is not right, or has been used. Wait for a new code in your app and "
                       "try again (after several wrong codes you must wait a little longer each time).")
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _safe_next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request):
    """Set up an authenticator app: QR code and secret, confirmed by a first code; then backup codes, once."""
    state = twofactor.two_factor_state(request.user)
    if state == "verify":
        return redirect(f"{reverse_lazy('two_factor_verify')}?{urlencode({'next': _safe_next(request)})}")
    device = twofactor.pending_device(request.user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            codes = twofactor.confirm_device(device)
            otp_login(request, device)
            audit_record(actor=request.user, action="auth.two_factor_enrolled", request=request)
            return render(request, "registration/two_factor_backup_codes.html",
                          {"codes": codes, "next": _safe_next(request)})
        form.add_error("token", "That code does not match. Check the time on your phone is right, wait for a new "
                       "code and try again.")
    return render(request, "registration/two_factor_enrol.html", {
        "form": form, "qr_svg": twofactor.qr_svg(device), "secret": twofactor.secret_text(device),
        "required": state == "enrol", "already": state == "verified", "next": _safe_next(request),
    })


# --- password reset (Django's views, the project's templates) ---------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    """The link in the email is built from SITE_URL, never from the request's Host header."""

    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        site = urlparse(settings.SITE_URL)
        form.save(
            domain_override=site.netloc, use_https=site.scheme == "https", token_generator=self.token_generator,
            from_email=self.from_email, email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name, request=self.request,
            html_email_template_name=None, extra_email_context={"site_url": settings.SITE_URL},
        )
        audit_record(actor=None, action="auth.password_reset_requested", request=self.request)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        from axes.utils import reset as axes_reset

        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())  # a new password lifts a lockout
        audit_record(actor=None, action="auth.password_reset", request=self.request,
                     detail={"user_id": form.user.pk})
        return response


# --- agency users ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def agency_users(request):
    try:
        users = list(accounts.agency_users_for_admin(admin=request.user))
    except PermissionDenied:
        raise Http404("No such page") from None
    return render(request, "registration/agency_users.html", {"users": users, "agency": request.user.agency})


@login_required
@require_POST
def agency_user_active(request, user_id: int, action: str):
    if action not in ("deactivate", "reactivate"):
        raise Http404("No such action")
    try:
        user = accounts.user_set_active(admin=request.user, user_id=user_id, active=action == "reactivate",
                                        request=request)
    except (PermissionDenied, User.DoesNotExist):
        raise Http404("No such user") from None
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        if action == "deactivate":
            messages.success(request, f"{user} is deactivated: they are signed out and can no longer sign in.")
        else:
            messages.success(request, f"{user} is active again and can sign in.")
    return redirect("agency_users")


# --- audit log ------------------------------------------------------------------------------------

AUDIT_PAGE_SIZE = 50


def _audit_entries(request):
    try:
        accounts.audit_entries_for_user(user=request.user)  # the permission check
    except PermissionDenied:
        raise Http404("No such page") from None
    form = AuditFilterForm(request.GET or None, service_id=request.user.agency_id)
    filters = form.to_filter() if form.is_bound and form.is_valid() else None
    if form.is_bound and not form.is_valid():
        return form, None
    return form, accounts.audit_entries_for_user(user=request.user, filters=filters)


@login_required
@require_http_methods(["GET"])
def audit_log(request):
    form, entries = _audit_entries(request)
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page")) if entries is not None else None
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return render(request, "registration/audit_log.html", {"form": form, "page": page, "query": query})


@login_required
@require_http_methods(["GET"])
def audit_export(request):
    form, entries = _audit_entries(request)
    if entries is None:
        return HttpResponse("The filters are not valid: " + "; ".join(
            f"{field}: {' '.join(errs)}" for field, errs in form.errors.items()),
            status=400, content_type="text/plain; charset=utf-8")
    body = accounts.audit_csv(entries.iterator(chunk_size=2000))
    audit_record(actor=request.user, action="audit.exported", request=request,
                 detail=form.to_filter().as_detail() if form.is_bound else {})
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="convene-audit.csv"'
    return response


@login_required
@require_http_methods(["GET"])
def audit_subject_access(request):
    """A subject access request: every read of one child (``?child=<reference>``), by whom, when, as CSV."""
    try:
        key = accounts.subject_access_key(user=request.user, reference=request.GET.get("child", "")[:40])
    except PermissionDenied:
        raise Http404("No such page") from None
    if key is None:
        return HttpResponse("Give the child's reference: ?child=YJ-0001 (a child of your service).", status=400,
                            content_type="text/plain; charset=utf-8")
    child_key, reference = key
    body = accounts.subject_access_csv(accounts.subject_access_entries(key=child_key).iterator(chunk_size=2000),
                                       reference=reference)
    audit_record(actor=request.user, action="audit.subject_access_exported", request=request,
                 detail={"child_key": child_key, "child_reference": reference})
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{reference}.csv"'
    response["Cache-Control"] = "no-store"
    return response
