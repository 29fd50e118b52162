from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", include("panels.account_urls")),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves its start-up script as a file: no inline script, so the CSP needs no exception.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("", include("panels.urls")),
    path("", include("agendas.urls")),
    path("", include("minutes.urls")),
    path("", include("notifications.urls")),
]

handler404 = "config.openapi.api_not_found"  # JSON under /api/
handler500 = "config.openapi.api_server_error"
