"""Domain events, delivered after commit.

Apps to the left emit (``event_emit``); apps to the right (``notifications``) subscribe with
``event_subscribe``. Emission inside a transaction is deferred until it commits, so nobody hears of
a change that was rolled back.

A subscriber that must write in the *same* transaction as the change (the outbox: a message is
recorded with the change that causes it, or not at all) subscribes with ``in_transaction=True``: it
is called at once, and if it raises, the change is rolled back with it.
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
_in_transaction: dict[str, list[Handler]] = defaultdict(list)


def event_subscribe(name: str, handler: Handler, *, in_transaction: bool = False) -> None:
    """Register ``handler`` for event ``name`` ("*" for every event). Idempotent."""
    registry = _in_transaction if in_transaction else _handlers
    if handler not in registry[name]:
        registry[name].append(handler)


def event_emit(name: str, payload: dict[str, Any]) -> None:
    for handler in [*_in_transaction.get(name, ()), *_in_transaction.get("*", ())]:
        handler(name, payload)  # errors propagate: the caller's transaction rolls back

    def deliver() -> None:
        for handler in [*_handlers.get(name, ()), *_handlers.get("*", ())]:
            try:
                handler(name, payload)
            except Exception:  # one failing subscriber must not break the others
                logger.exception("event handler %r failed for %s", handler, name)

    transaction.on_commit(deliver)
