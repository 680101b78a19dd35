"""Organiser accounts: names, scrypt password hashes, and the sign-in lock-out.

Accounts are created on the server (``python -m bot admin add-user NAME``), never from
the web, so the console has no sign-up page to attack. Passwords are hashed with
scrypt (hashlib, RFC 7914) and a random salt per account; the stored string carries
its parameters, so they can be raised later without breaking old hashes.

Lock-out: every attempt on a name is counted *before* the password is checked, in one
transaction, so parallel requests (on either worker) cannot try more than
``MAX_FAILURES`` passwords; a success clears the count, and the fifth failure in a row
locks the name for ``LOCKOUT_S``. Unknown names are counted and checked against a
dummy hash the same way, so the answer never tells whether an account exists.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from typing import Callable, List, Optional

from bot.tools.console.database import ConsoleDatabase

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # 16 MB, about 50 ms: OWASP's minimum for scrypt
HASH_BYTES = 32
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1024  # scrypt of a megabyte would be a cheap way to load the server
MAX_FAILURES = 5
LOCKOUT_S = 15 * 60
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, password TEXT NOT NULL, created REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sign_in_failures "
    "(name TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_until REAL NOT NULL)",
)


class AccountError(ValueError):
    """A name or password that cannot be used; the message says why."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, salt: Optional[bytes] = None) -> str:
    """``scrypt$n$r$p$salt$hash``, all that is needed to check the password later."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=HASH_BYTES, maxmem=64 * 2**20
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time comparison)."""
    try:
        kind, n, r, p, salt, expected = stored.split("$")
        if kind != "scrypt":
            return False
        digest = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(base64.b64decode(expected)),
            maxmem=64 * 2**20,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, base64.b64decode(expected))


# Checked when the name is unknown, so that an unknown name takes as long as a wrong password.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def check_name(name: str) -> str:
    if not NAME_PATTERN.match(name):
        raise AccountError(
            f"'{name}' cannot be an account name: use 2–32 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter (e.g. 'marie' or 'j.peeters')"
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError(f"the password must have at most {MAX_PASSWORD_CHARS} characters")
    return password


@dataclass(frozen=True)
class SignIn:
    """The outcome of one attempt: the account name when it succeeded; ``locked_for``
    seconds when the name is locked (the password was not checked)."""

    name: Optional[str]
    locked_for: int = 0

    @property
    def ok(self) -> bool:
        return self.name is not None


class AccountStore:
    """The organisers' accounts and their lock-outs, in the console database."""

    def __init__(self, database: ConsoleDatabase, clock: Callable[[], float] = time.time) -> None:
        self._db = database
        self._clock = clock

    def add(self, name: str, password: str, replace: bool = False) -> None:
        """Create an account (or set a new password with ``replace``)."""
        check_name(name)
        stored = hash_password(check_password(password))
        with self._db.transaction() as db:
            exists = db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone()
            if exists and not replace:
                raise AccountError(f"the account '{name}' exists already (use --replace to set a new password)")
            db.execute(
                "INSERT INTO users (name, password, created) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET password = excluded.password",
                (name, stored, self._clock()),
            )
            db.execute("DELETE FROM sign_in_failures WHERE name = ?", (name,))

    def remove(self, name: str) -> bool:
        with self._db.transaction() as db:
            removed = db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount
        return bool(removed)

    def names(self) -> List[str]:
        return [row[0] for row in self._db.query("SELECT name FROM users ORDER BY name")]

    def unlock(self, name: str) -> None:
        with self._db.transaction() as db:
            db.execute("DELETE FROM sign_in_failures WHERE name = ?", (name,))

    def sign_in(self, name: str, password: str) -> SignIn:
        """Count the attempt, then check the password; see the module's docstring."""
        now = self._clock()
        with self._db.transaction() as db:
            row = db.execute("SELECT failures, locked_until FROM sign_in_failures WHERE name = ?", (name,)).fetchone()
            failures, locked_until = row if row else (0, 0.0)
            if locked_until > now:
                return SignIn(None, locked_for=int(locked_until - now) + 1)
            if locked_until:  # the lock ran out: a fresh count
                failures = 0
            failures += 1
            locked_until = now + LOCKOUT_S if failures >= MAX_FAILURES else 0.0
            db.execute(
                "INSERT INTO sign_in_failures (name, failures, locked_until) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until",
                (name, failures, locked_until),
            )
            user = db.execute("SELECT password FROM users WHERE name = ?", (name,)).fetchone()
        if not verify_password(password[:MAX_PASSWORD_CHARS], user[0] if user else _DUMMY_HASH) or not user:
            return SignIn(None, locked_for=LOCKOUT_S if locked_until else 0)
        self.unlock(name)
        return SignIn(name)
