"""Sign-in security, password reset, agency users and the audit log (mounted under /accounts/ and /audit/)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from panels import account_views as views

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/set-up/", views.two_factor_enrol, name="two_factor_enrol"),
    path("accounts/password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password-reset/sent/",
         auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
         name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/reset/done/",
         auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_complete.html"),
         name="password_reset_complete"),
    path("accounts/users/", views.agency_users, name="agency_users"),
    path("accounts/users/<int:user_id>/<slug:action>", views.agency_user_active, name="agency_user_active"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("audit/subject-access.csv", views.audit_subject_access, name="audit_subject_access"),
]
