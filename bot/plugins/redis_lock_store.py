"""Rasa's ticket locks in Redis, taken without stopping the event loop: the cluster's lock store.

Named in ``deploy/endpoints.production.yml``. Rasa's ``RedisLockStore`` calls redis-py
synchronously from its ``async`` lock: seven round trips per message (a ticket: GET and
SET; the wait: GET; the return: GET and SET, GET, DEL), and during each one the
replica's event loop serves no other message. Its read-modify-write steps can also
interleave between replicas, so two of them may draw the same ticket (RasaHQ/rasa#9213).

This store keeps what other replicas and stock Rasa see: the same keys
(``<key_prefix>:lock:<conversation>``), the same serialised ``TicketLock``, Python's
clock for expiry, and Rasa's rule of who is served (with the expiry fix of
:func:`bot.plugins.lock_store.first_in_line`). What changes:

* the lock goes through ``redis.asyncio``: a replica serves other messages while Redis
  answers;
* drawing a ticket and returning it are one Lua script each (``TAKE_SCRIPT``,
  ``RETURN_SCRIPT``), which Redis runs atomically, so two replicas never draw the same
  number;
* two round trips per message (and none to wait when the lock just written shows the
  ticket first in line, the usual case), against Rasa's seven. redis.asyncio costs
  more CPU per command than redis-py, so fewer commands is what keeps the lock cheap
  (``python -m bench.micro locks --redis``, docs/performance.md).

Rasa's synchronous methods (``get_lock``, ``issue_ticket`` …) stay as Rasa has them, on
redis-py's blocking client, for tools and tests that call them.
"""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Dict, Optional, Text, Tuple

import redis
import redis.asyncio
from rasa.core.lock import TicketLock
from rasa.core.lock_store import DEFAULT_SOCKET_TIMEOUT_IN_SECONDS, LOCK_LIFETIME, LockError
from rasa.core.lock_store import RedisLockStore as RasaRedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.plugins.lock_store import first_in_line

# Rasa's ``issue_ticket`` in one step: drop the expired tickets, draw the number after the
# last one left, append the ticket. KEYS[1]: the lock; ARGV: conversation id, the time now
# and the new ticket's expiry (Python's clock, as Rasa's: replicas and stock Rasa agree).
# Tickets are kept as stored (JSON strings in the lock's JSON); the new one is written as
# Rasa writes it. Returns the ticket's number and the lock as stored.
TAKE_SCRIPT = """
local now = tonumber(ARGV[2])
local kept, last = {}, -1
local raw = redis.call('GET', KEYS[1])
if raw then
  for _, serialised in ipairs(cjson.decode(raw)['tickets']) do
    local ticket = cjson.decode(serialised)
    if ticket['expires'] >= now then
      table.insert(kept, serialised)
      last = ticket['number']
    end
  end
end
local number = last + 1
table.insert(kept, '{"number": ' .. number .. ', "expires": ' .. ARGV[3] .. '}')
local value = cjson.encode({conversation_id = ARGV[1], tickets = kept})
redis.call('SET', KEYS[1], value)
return {number, value}
"""
# Rasa's ``cleanup`` in one step: drop this ticket and the expired ones; delete the lock
# when none is left. KEYS[1]: the lock; ARGV: the ticket's number, the time now.
RETURN_SCRIPT = """
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local lock = cjson.decode(raw)
local number, now = tonumber(ARGV[1]), tonumber(ARGV[2])
local kept = {}
for _, serialised in ipairs(lock['tickets']) do
  local ticket = cjson.decode(serialised)
  if ticket['number'] ~= number and ticket['expires'] >= now then table.insert(kept, serialised) end
end
if #kept == 0 then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], cjson.encode({conversation_id = lock['conversation_id'], tickets = kept}))
end
return #kept
"""


class RedisLockStore(RasaRedisLockStore):
    """Rasa's Redis lock store (same settings as ``type: redis``) with an async, atomic lock."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        self._settings: Dict[str, Any] = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        super().__init__(**self._settings)
        # Made in the loop that uses it: redis.asyncio connections belong to one event loop.
        self._async: Optional[Tuple[asyncio.AbstractEventLoop, "redis.asyncio.Redis", Any, Any]] = None

    def _client(self) -> Tuple["redis.asyncio.Redis", Any, Any]:
        """The async client and the two scripts, for the running event loop."""
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
            self._async = (loop, client, client.register_script(TAKE_SCRIPT), client.register_script(RETURN_SCRIPT))
        return self._async[1:]

    async def _read(self, conversation_id: Text) -> Optional[TicketLock]:
        client, _, _ = self._client()
        raw = await client.get(self.key_prefix + conversation_id)
        return TicketLock.from_dict(json.loads(raw)) if raw else None

    async def _take_ticket(self, conversation_id: Text, lock_lifetime: float) -> Tuple[int, TicketLock]:
        """A new ticket (Rasa's numbering: one above the last unexpired one) and the lock
        as written with it."""
        _, take, _ = self._client()
        now = time.time()
        try:
            number, value = await take(
                keys=[self.key_prefix + conversation_id], args=[conversation_id, repr(now), repr(now + lock_lifetime)]
            )
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        return int(number), TicketLock.from_dict(json.loads(value))

    async def _wait_for_turn(
        self, conversation_id: Text, ticket: int, lock: TicketLock, wait_time_in_seconds: float
    ) -> TicketLock:
        """Rasa's wait, without its write-backs (expired tickets are skipped by the rule,
        not removed): none when the lock just written shows the ticket first in line,
        else a check every ``wait_time_in_seconds``."""
        while not first_in_line(lock, ticket):
            await asyncio.sleep(wait_time_in_seconds)
            current = await self._read(conversation_id)
            if current is None:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            lock = current
        return lock

    async def _return_ticket(self, conversation_id: Text, ticket: int) -> None:
        """Remove the ticket; delete the lock when nobody else holds one (Rasa's cleanup)."""
        _, _, give_back = self._client()
        await give_back(keys=[self.key_prefix + conversation_id], args=[ticket, repr(time.time())])

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
