from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from config.api_docs import api_docs

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
]

handler404 = "config.openapi.api_not_found"  # JSON under /api/
handler500 = "config.openapi.api_server_error"
