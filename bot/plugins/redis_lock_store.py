"""Rasa's ticket locks in Redis, taken without stopping the event loop: the cluster's lock store.

Named in ``deploy/endpoints.production.yml``. Rasa's ``RedisLockStore`` calls redis-py
synchronously from its ``async`` lock: seven round trips per message (a ticket: GET and
SET; the wait: GET; the return: GET and SET, GET, DEL), and during each one the
replica's event loop serves no other message. Its read-modify-write steps can also
interleave between replicas, so two of them may draw the same ticket (RasaHQ/rasa#9213).

This store keeps what other replicas and stock Rasa see: the same keys
(``<key_prefix>:lock:<conversation>``), the same serialised ``TicketLock`` and Rasa's
rule of who is served (with the expiry fix of
:func:`bot.plugins.lock_store.first_in_line`). What changes:

* the lock's own steps go through ``redis.asyncio``: a replica serves other messages
  while Redis answers;
* every change is a compare-and-set (``CAS_SCRIPT``: written only if the key still holds
  what was read, else read again), so tickets are drawn and returned atomically across
  replicas;
* four round trips per message: a ticket (GET, set), no wait when the lock just written
  shows the ticket first in line (the usual case), the return (GET, set or delete).

Rasa's synchronous methods (``get_lock``, ``issue_ticket`` …) stay as Rasa has them, on
redis-py's blocking client, for tools and tests that call them.
"""

from __future__ import annotations

import asyncio
import json
import logging
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Dict, Optional, Text, Tuple

import redis
import redis.asyncio
from rasa.core.lock import TicketLock
from rasa.core.lock_store import DEFAULT_SOCKET_TIMEOUT_IN_SECONDS, LOCK_LIFETIME, LockError
from rasa.core.lock_store import RedisLockStore as RasaRedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.plugins.lock_store import first_in_line

logger = logging.getLogger(__name__)

# KEYS[1]: the lock; ARGV[1]: the value read ('' = absent), ARGV[2]: the new value
# ('' = delete). Returns 1 when written, 0 when another replica changed the lock since.
CAS_SCRIPT = """
local current = redis.call('GET', KEYS[1])
if (current or '') ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2]) end
return 1
"""
# Compare-and-set attempts before giving up: each failure means another request of the
# same conversation changed the lock in between, so this many means something is wrong.
MAX_ATTEMPTS = 100


class RedisLockStore(RasaRedisLockStore):
    """Rasa's Redis lock store (same settings as ``type: redis``) with an async, atomic lock."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        self._settings: Dict[str, Any] = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        super().__init__(**self._settings)
        # Made in the loop that uses it: redis.asyncio connections belong to one event loop.
        self._async: Optional[Tuple[asyncio.AbstractEventLoop, "redis.asyncio.Redis", Any]] = None

    def _client(self) -> Tuple["redis.asyncio.Redis", Any]:
        """The async client and compare-and-set script of the running event loop."""
        loop = asyncio.get_running_loop()
        if self._async is None or self._async[0] is not loop:
            settings = self._settings
            client = redis.asyncio.Redis(
                host=settings["host"],
                port=int(settings.get("port") or 6379),
                db=int(settings.get("db") or 1),
                username=settings.get("username"),
                password=settings.get("password"),
                ssl=bool(settings.get("use_ssl")),
                ssl_certfile=settings.get("ssl_certfile"),
                ssl_keyfile=settings.get("ssl_keyfile"),
                ssl_ca_certs=settings.get("ssl_ca_certs"),
                socket_timeout=float(settings.get("socket_timeout") or DEFAULT_SOCKET_TIMEOUT_IN_SECONDS),
            )
            self._async = (loop, client, client.register_script(CAS_SCRIPT))
        return self._async[1], self._async[2]

    async def _read(self, conversation_id: Text) -> Tuple[str, Optional[TicketLock]]:
        """The stored value ('' when there is none) and the lock it holds."""
        client, _ = self._client()
        raw = await client.get(self.key_prefix + conversation_id)
        if not raw:
            return "", None
        value = raw.decode("utf-8")
        return value, TicketLock.from_dict(json.loads(value))

    async def _replace(self, conversation_id: Text, read: str, lock: Optional[TicketLock]) -> bool:
        """Store ``lock`` (None: delete it) if the key still holds ``read``."""
        _, compare_and_set = self._client()
        written = await compare_and_set(
            keys=[self.key_prefix + conversation_id], args=[read, lock.dumps() if lock is not None else ""]
        )
        return bool(written)

    async def _take_ticket(self, conversation_id: Text, lock_lifetime: float) -> Tuple[int, TicketLock]:
        """A new ticket (Rasa's numbering: one above the last unexpired one) and the lock
        as written with it."""
        try:
            for _ in range(MAX_ATTEMPTS):
                read, lock = await self._read(conversation_id)
                lock = lock or self.create_lock(conversation_id)
                ticket = lock.issue_ticket(lock_lifetime)
                if await self._replace(conversation_id, read, lock):
                    return ticket, lock
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        raise LockError(f"Could not issue a ticket for conversation_id '{conversation_id}' (lock kept changing).")

    async def _wait_for_turn(
        self, conversation_id: Text, ticket: int, lock: TicketLock, wait_time_in_seconds: float
    ) -> TicketLock:
        """Rasa's wait, without its write-backs (expired tickets are skipped by the rule,
        not removed): checks again every ``wait_time_in_seconds``."""
        while not first_in_line(lock, ticket):
            await asyncio.sleep(wait_time_in_seconds)
            _, current = await self._read(conversation_id)
            if current is None:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            lock = current
        return lock

    async def _return_ticket(self, conversation_id: Text, ticket: int) -> None:
        """Remove the ticket; delete the lock when nobody else holds one (Rasa's cleanup)."""
        for _ in range(MAX_ATTEMPTS):
            read, lock = await self._read(conversation_id)
            if lock is None:
                return
            lock.remove_ticket_for(ticket)
            if await self._replace(conversation_id, read, lock if lock.is_someone_waiting() else None):
                return
        logger.warning("Could not return ticket %d of conversation %s (lock kept changing).", ticket, conversation_id)

    @asynccontextmanager
    async def lock(
        self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncIterator[TicketLock]:
        """Rasa's ``LockStore.lock``: held while the block runs, in ticket order."""
        ticket, lock = await self._take_ticket(conversation_id, lock_lifetime)
        try:
            yield await self._wait_for_turn(conversation_id, ticket, lock, wait_time_in_seconds)
        finally:
            await self._return_ticket(conversation_id, ticket)
