"""Live minute text over the y-websocket protocol, with the server as the source of truth.

Each connection is checked at connect (session, origin, need to know for this meeting, child and
section). Every update from an editor is persisted *before* it is relayed; updates from read-only viewers
are dropped. A joining or reconnecting client is synced from the stored state, never from peers.

- ``protocol``: room names, frames in and out (sync steps, updates, awareness), close codes; pure.
- ``store``: persistence of the Yjs documents for the sockets: the worker's own store connection, reads of a
  document's state and of what a room missed, the debounced text snapshot.
- ``room``: one document's sockets in one worker (who may hold a seat, checked at connect, on a recheck and at
  each catch-up), the worker's copy of the document, presence, and the catch-up from the store.
- ``hub``: one worker's rooms, its queue of updates to store, and its fan-out to the other workers.
- ``consumer``: the Channels consumer (``config/routing.py``), thin: connect, sync, hand frames on.

Within one worker (one event loop), a document that has sockets open has one ``Room``: its sockets, the
worker's copy of the document, and a periodic catch-up from the store. The worker's ``Hub`` stores the
updates: whatever arrived, for any document, while the previous store was running (and in the few
milliseconds a store waits to gather more) is stored in one transaction (the documents' rows locked and one
multi-row insert, one prepared statement on PostgreSQL over the worker's own asynchronous connection; a
document's updates merged into one row), and only then relayed: to the document's local sockets directly (a
sender is not sent its own update back), and to the other workers through one channel-layer subscription per
worker (Redis pub/sub when the deployment runs on Redis), one message for everything queued. Presence
(awareness) is relayed the same way, only what is news by its clock.

Relays between workers go through the channel layer and can be lost (a worker killed between storing and
relaying, a Redis restart or flush while sockets stay open), so the hub re-joins its groups and each room
catches up from the store every few seconds; see ``Room._catch_up``.
"""
