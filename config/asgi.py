"""ASGI entry point: HTTP plus websockets (session-authenticated, origin-checked)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()  # must run before importing consumers

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from panels.twofactor import TwoFactorWebsocketMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # A session that has not passed two-factor (when the user needs it) reaches the consumers as anonymous.
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(TwoFactorWebsocketMiddleware(URLRouter(websocket_urlpatterns)))
        ),
    }
)
