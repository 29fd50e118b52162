"""Domain events, delivered after commit.

Apps to the left emit (``event_emit``); apps to the right (``notifications``) subscribe with
``event_subscribe``. Emission inside a transaction is deferred until it commits, so nobody hears of
a change that was rolled back.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)
Handler = Callable[[str, dict[str, Any]], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def event_subscribe(name: str, handler: Handler) -> None:
    """Register ``handler`` for event ``name`` ("*" for every event). Idempotent."""
    if handler not in _handlers[name]:
        _handlers[name].append(handler)


def event_emit(name: str, payload: dict[str, Any]) -> None:
    def deliver() -> None:
        for handler in [*_handlers.get(name, ()), *_handlers.get("*", ())]:
            try:
                handler(name, payload)
            except Exception:  # one failing subscriber must not break the others
                logger.exception("event handler %r failed for %s", handler, name)

    transaction.on_commit(deliver)
