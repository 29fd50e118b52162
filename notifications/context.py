"""Template context: how many notifications the signed-in user has not read (shown beside "Notifications")."""

from __future__ import annotations

from notifications.models import Notification


def unread(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": Notification.objects.filter(user=user, read_at=None).count()}
