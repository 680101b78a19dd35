"""Open hand-offs and the replies waiting for their attendee, in the conversations' database.

Two small tables beside Rasa's ``events``, in the tracker store's own database (SQLite
for ``make run``, PostgreSQL for the cluster), so every worker and replica sees the
same, a restart loses nothing, and one implementation serves both:

* ``handoffs``: one row per open hand-off: whose conversation, the channel replies go
  to, the organisers' Slack thread, what was relayed there, and the times the desk's
  sweeps read (a mirror of the conversation's ``handoff`` slot, so sweeping reads no
  conversation);
* ``handoff_outbox``: organisers' replies for channels the server cannot push to at
  any moment: the web chat (socket.io; pushed by whichever worker holds the browser's
  socket, or at its next connection) and REST (returned with the client's next message).

Claims are single statements (``DELETE``/``UPDATE … WHERE``, checked by row count), so
when two workers sweep at once only one closes or reminds.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import sqlalchemy as sa

METADATA = sa.MetaData()
HANDOFFS = sa.Table(
    "handoffs",
    METADATA,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("channel", sa.String(64), nullable=False),
    sa.Column("recipient", sa.String(255), nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("thread", sa.String(64), index=True),
    sa.Column("posts", sa.Text, nullable=False),  # JSON list of our Slack message ts
    sa.Column("relayed_until", sa.Float, nullable=False),
    sa.Column("opened", sa.Float, nullable=False),
    sa.Column("waits_from", sa.Float, nullable=False),
    sa.Column("answered", sa.Float, nullable=False),
    sa.Column("reminded", sa.Boolean, nullable=False),
)
OUTBOX = sa.Table(
    "handoff_outbox",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("channel", sa.String(64), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("queued", sa.Float, nullable=False),
)


@dataclass(frozen=True)
class Handoff:
    """One open hand-off as the desk keeps it."""

    id: str
    sender_id: str
    channel: str  # the input channel the attendee uses ("twilio", "socketio", "rest" …)
    recipient: str  # where replies go on that channel (the sender, or Slack's conversation)
    language: str
    opened: float
    waits_from: float
    thread: Optional[str] = None  # ts of the first post in the organisers' channel
    posts: List[str] = field(default_factory=list)
    relayed_until: float = 0.0  # timestamp of the latest attendee message relayed
    answered: float = 0.0
    reminded: bool = False

    def row(self) -> Dict[str, Any]:
        return {**self.__dict__, "posts": json.dumps(self.posts)}

    @classmethod
    def from_row(cls, row: Any) -> "Handoff":
        values = dict(row._mapping)
        values["posts"] = json.loads(values["posts"] or "[]")
        return cls(**values)


class HandoffRegistry:
    """The two tables, on the tracker store's SQLAlchemy engine."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine
        try:
            METADATA.create_all(engine)
        except sa.exc.DatabaseError:  # another worker created them between the check and ours
            METADATA.create_all(engine)

    def add(self, handoff: Handoff) -> None:
        with self.engine.begin() as connection:
            connection.execute(HANDOFFS.delete().where(HANDOFFS.c.sender_id == handoff.sender_id))
            connection.execute(HANDOFFS.insert().values(**handoff.row()))

    def _one(self, condition: Any) -> Optional[Handoff]:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(HANDOFFS).where(condition)).first()
        return Handoff.from_row(row) if row else None

    def get(self, handoff_id: str) -> Optional[Handoff]:
        return self._one(HANDOFFS.c.id == handoff_id)

    def of_sender(self, sender_id: str) -> Optional[Handoff]:
        return self._one(HANDOFFS.c.sender_id == sender_id)

    def of_thread(self, thread: str) -> Optional[Handoff]:
        return self._one(HANDOFFS.c.thread == thread)

    def all_open(self) -> List[Handoff]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(HANDOFFS).order_by(HANDOFFS.c.opened)).fetchall()
        return [Handoff.from_row(row) for row in rows]

    def update(self, handoff_id: str, **fields: Any) -> None:
        """Change some fields of an open hand-off (only those: another worker may be changing others)."""
        if "posts" in fields:
            fields["posts"] = json.dumps(fields["posts"])
        with self.engine.begin() as connection:
            connection.execute(HANDOFFS.update().where(HANDOFFS.c.id == handoff_id).values(**fields))

    def claim_reminder(self, handoff: Handoff) -> bool:
        """True for the one caller that marks ``handoff`` reminded."""
        statement = HANDOFFS.update().where(HANDOFFS.c.id == handoff.id, HANDOFFS.c.reminded.is_(False))
        with self.engine.begin() as connection:
            return connection.execute(statement.values(reminded=True)).rowcount == 1

    def remove(self, handoff_id: str) -> bool:
        """Close: True for the one caller that removed it."""
        with self.engine.begin() as connection:
            return connection.execute(HANDOFFS.delete().where(HANDOFFS.c.id == handoff_id)).rowcount == 1

    def queue(self, sender_id: str, channel: str, message: Dict[str, Any]) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                OUTBOX.insert().values(
                    sender_id=sender_id, channel=channel, message=json.dumps(message), queued=time.time()
                )
            )

    def queued_senders(self, channel: str) -> List[str]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(OUTBOX.c.sender_id).where(OUTBOX.c.channel == channel).distinct())
            return [sender for (sender,) in rows]

    def take_queued(self, sender_id: str, channel: str) -> List[Dict[str, Any]]:
        """The messages queued for ``sender_id``, oldest first, removed (each taken once)."""
        taken: List[Dict[str, Any]] = []
        with self.engine.begin() as connection:
            rows = connection.execute(
                sa.select(OUTBOX.c.id, OUTBOX.c.message)
                .where(OUTBOX.c.sender_id == sender_id, OUTBOX.c.channel == channel)
                .order_by(OUTBOX.c.id)
            ).fetchall()
            for row_id, message in rows:
                if connection.execute(OUTBOX.delete().where(OUTBOX.c.id == row_id)).rowcount == 1:
                    taken.append(json.loads(message))
        return taken

    def drop_queued_before(self, moment: float) -> int:
        """Delete replies queued before ``moment`` that nobody came back for; how many."""
        with self.engine.begin() as connection:
            return int(connection.execute(OUTBOX.delete().where(OUTBOX.c.queued < moment)).rowcount)

    def forget(self, sender_id: str) -> None:
        """Drop everything of a conversation ("forget me")."""
        with self.engine.begin() as connection:
            connection.execute(HANDOFFS.delete().where(HANDOFFS.c.sender_id == sender_id))
            connection.execute(OUTBOX.delete().where(OUTBOX.c.sender_id == sender_id))
