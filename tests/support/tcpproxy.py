"""A TCP proxy the tests control, to make a dependency fail without touching it.

Put between the Rasa server and PostgreSQL (or the action server), it can ``cut``
(close every connection and refuse new ones: the database is down), ``stall``
(accept connections but forward nothing, on new or open connections: the dependency
hangs; clients that keep connections open, like Rasa's action calls, see it too), and
``restore``.
The machine's PostgreSQL itself is never stopped.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Optional, Set

STALL_POLL_S = 0.05


class TcpProxy:
    def __init__(self, listen_port: int, target_port: int, host: str = "127.0.0.1") -> None:
        self.listen_port, self.target_port, self.host = listen_port, target_port, host
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: Optional[asyncio.AbstractServer] = None
        self._writers: Set[asyncio.StreamWriter] = set()
        self._stalled = False

    def _call(self, coroutine) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    def start(self) -> "TcpProxy":
        self._thread.start()
        self.restore()
        return self

    def restore(self) -> None:
        """Forward again (listening if it was cut)."""
        self._stalled = False
        self._call(self._listen())

    def stall(self) -> None:
        """Connections are accepted but nothing is forwarded, on new or open ones."""
        self._stalled = True

    def cut(self) -> None:
        """Close every connection and stop listening: connections are refused."""
        self._call(self._close())

    def retarget(self, port: int) -> None:
        """Forward to another port from now on; open connections are closed, so clients
        (Rasa keeps its action-server connections) reconnect through to the new one."""
        self.target_port = port
        self.cut()
        self.restore()

    def stop(self) -> None:
        self.cut()
        self._loop.call_soon_threadsafe(self._loop.stop)

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._handle, self.host, self.listen_port)

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        if self._stalled:
            await reader.read()  # hold the connection open until the client gives up
            writer.close()
            return
        try:
            target_reader, target_writer = await asyncio.open_connection(self.host, self.target_port)
        except OSError:
            writer.close()
            return
        self._writers.add(target_writer)
        await asyncio.gather(self._pipe(reader, target_writer), self._pipe(target_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                while self._stalled:  # held back: the client's request (or reply) hangs
                    await asyncio.sleep(STALL_POLL_S)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
