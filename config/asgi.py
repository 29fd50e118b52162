"""ASGI entry point: HTTP plus websockets (session-authenticated, origin-checked)."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()  # must run before importing consumers

from channels.auth import AuthMiddleware  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from channels.sessions import CookieMiddleware  # noqa: E402
from django.conf import settings  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from panels.sessions import SocketSessionMiddleware  # noqa: E402
from panels.twofactor import TwoFactorWebsocketMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Channels' AuthMiddlewareStack with a read-only session (panels.sessions.SocketSessionMiddleware). A session
        # that has not passed two-factor (when the user needs it) reaches the consumers as anonymous.
        # The Origin must be one of WEBSOCKET_ALLOWED_ORIGINS by scheme, host and port (not only the host).
        "websocket": OriginValidator(
            CookieMiddleware(SocketSessionMiddleware(AuthMiddleware(
                TwoFactorWebsocketMiddleware(URLRouter(websocket_urlpatterns))
            ))),
            settings.WEBSOCKET_ALLOWED_ORIGINS,
        ),
    }
)

# Everything loaded so far (Django, the apps, the URL configuration) lives as long as the process: moved out of the
# cyclic collector's reach, so that its full collections, which would otherwise walk all of it and stop every socket
# of the worker for a hundred milliseconds or more, only walk what was made since.
gc.collect()
gc.freeze()
