"""Limits for the public entry points, from the environment (documented in docs/reliability.md).

| variable                          | default | meaning                                   |
|-----------------------------------|---------|-------------------------------------------|
| ``BOT_RATE_PER_SENDER_PER_MINUTE``| 30      | messages per conversation per minute      |
| ``BOT_RATE_SENDER_BURST``         | 10      | messages a conversation may send at once  |
| ``BOT_RATE_PER_ADDRESS_PER_MINUTE``| 120    | requests per client address (gateway)     |
| ``BOT_RATE_ADDRESS_BURST``        | 40      | requests an address may send at once      |
| ``BOT_MAX_BODY_BYTES``            | 65536   | largest request body accepted             |
| ``BOT_CORS_ORIGINS``              | (none)  | comma-separated origins allowed by CORS   |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping, Tuple


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as error:
        raise ValueError(f"{name}={raw!r} is not a number") from error
    if value <= 0:
        raise ValueError(f"{name}={raw!r} must be positive")
    return value


@dataclass(frozen=True)
class Limits:
    sender_per_minute: float = 30
    sender_burst: int = 10
    address_per_minute: float = 120
    address_burst: int = 40
    max_body_bytes: int = 64 * 1024
    cors_origins: Tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "Limits":
        origins = tuple(o.strip().rstrip("/") for o in env.get("BOT_CORS_ORIGINS", "").split(",") if o.strip())
        return cls(
            sender_per_minute=_number(env, "BOT_RATE_PER_SENDER_PER_MINUTE", cls.sender_per_minute),
            sender_burst=int(_number(env, "BOT_RATE_SENDER_BURST", cls.sender_burst)),
            address_per_minute=_number(env, "BOT_RATE_PER_ADDRESS_PER_MINUTE", cls.address_per_minute),
            address_burst=int(_number(env, "BOT_RATE_ADDRESS_BURST", cls.address_burst)),
            max_body_bytes=int(_number(env, "BOT_MAX_BODY_BYTES", cls.max_body_bytes)),
            cors_origins=origins,
        )
