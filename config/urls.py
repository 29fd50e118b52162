from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from config.api_docs import api_docs

# Old address → the name of the page now serving it (answered with 301, config/urls.py's last lines).
MOVED = {
    "account/emails/": "email_preferences",
    "account/calendar/": "calendar_settings",
}

urlpatterns = [
    path("", include("panels.account_urls")),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The reference as an ordinary page (config/api_docs.py): Swagger UI failed axe-core (issue 15).
    path("api/docs/", api_docs, name="api_docs"),
    path("", include("panels.urls")),
    path("", include("agendas.urls")),
    path("", include("minutes.urls")),
    path("", include("notifications.urls")),
    # Old addresses, moved for good (301): one account prefix, accounts/ (issue 18). Bookmarks keep working.
    *[path(old, RedirectView.as_view(pattern_name=name, permanent=True, query_string=True))
      for old, name in MOVED.items()],
]

handler404 = "config.openapi.api_not_found"  # JSON under /api/
handler500 = "config.openapi.api_server_error"
