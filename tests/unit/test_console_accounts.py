"""The console's accounts (bot/tools/console/accounts.py): scrypt hashes, the CLI, and the
lock-out after five wrong passwords, counted in the file both workers share."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.tools.console.accounts import LOCKOUT_S, MAX_FAILURES, AccountError, hash_password, verify_password
from bot.tools.console.stores import Stores
from tests.conftest import ROOT

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


def stores(folder, clock) -> Stores:
    """The stores of one worker: its own connection to the shared file."""
    made = Stores.in_folder(folder)
    made.accounts._clock = clock
    return made


def test_a_password_is_stored_as_a_salted_scrypt_hash():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("scrypt$16384$8$1$") and PASSWORD not in first
    assert first != second  # a salt of its own
    assert verify_password(PASSWORD, first) and verify_password(PASSWORD, second)
    assert not verify_password("correct horse batterY", first)
    assert not verify_password(PASSWORD, "md5$abc") and not verify_password(PASSWORD, "garbage")


def test_the_right_password_signs_in_and_a_wrong_one_does_not(tmp_path, clock):
    accounts = stores(tmp_path, clock).accounts
    accounts.add("marie", PASSWORD)
    assert accounts.sign_in("marie", PASSWORD).name == "marie"
    wrong = accounts.sign_in("marie", "not the password")
    assert not wrong.ok and wrong.locked_for == 0
    assert not accounts.sign_in("nobody", PASSWORD).ok


@pytest.mark.parametrize("name, password, expected", [
    ("Marie", PASSWORD, "cannot be an account name"),
    ("m", PASSWORD, "cannot be an account name"),
    ("marie", "short", "at least 10 characters"),
])
def test_bad_names_and_short_passwords_are_refused(tmp_path, clock, name, password, expected):
    with pytest.raises(AccountError, match=expected):
        stores(tmp_path, clock).accounts.add(name, password)


def test_an_existing_account_is_replaced_only_when_asked(tmp_path, clock):
    accounts = stores(tmp_path, clock).accounts
    accounts.add("marie", PASSWORD)
    with pytest.raises(AccountError, match="exists already"):
        accounts.add("marie", "another password")
    accounts.add("marie", "another password", replace=True)
    assert accounts.sign_in("marie", "another password").ok and not accounts.sign_in("marie", PASSWORD).ok


def test_five_wrong_passwords_on_either_worker_lock_the_account(tmp_path, clock):
    first, second = stores(tmp_path, clock).accounts, stores(tmp_path, clock).accounts
    first.add("marie", PASSWORD)
    for attempt in range(MAX_FAILURES - 1):
        result = (first if attempt % 2 else second).sign_in("marie", f"wrong {attempt}")
        assert not result.ok and result.locked_for == 0
    fifth = first.sign_in("marie", "wrong again")
    assert fifth.locked_for == LOCKOUT_S
    # Locked: even the right password is not checked, on either worker.
    assert second.sign_in("marie", PASSWORD).locked_for > 0
    assert first.sign_in("marie", PASSWORD).locked_for > 0
    clock.now += LOCKOUT_S + 1
    assert second.sign_in("marie", PASSWORD).ok


def test_a_success_clears_the_count(tmp_path, clock):
    accounts = stores(tmp_path, clock).accounts
    accounts.add("marie", PASSWORD)
    for _ in range(MAX_FAILURES - 1):
        accounts.sign_in("marie", "wrong")
    assert accounts.sign_in("marie", PASSWORD).ok
    for _ in range(MAX_FAILURES - 1):
        assert accounts.sign_in("marie", "wrong").locked_for == 0


def test_unknown_names_lock_the_same_way_so_the_answer_tells_nothing(tmp_path, clock):
    accounts = stores(tmp_path, clock).accounts
    results = [accounts.sign_in("nobody", "wrong") for _ in range(MAX_FAILURES)]
    assert [r.locked_for for r in results] == [0] * (MAX_FAILURES - 1) + [LOCKOUT_S]


def test_unlock_lifts_a_lock_out(tmp_path, clock):
    accounts = stores(tmp_path, clock).accounts
    accounts.add("marie", PASSWORD)
    for _ in range(MAX_FAILURES):
        accounts.sign_in("marie", "wrong")
    accounts.unlock("marie")
    assert accounts.sign_in("marie", PASSWORD).ok


def admin(var_dir, *args, password=None):
    return subprocess.run([sys.executable, "-m", "bot", "admin", "--var-dir", str(var_dir), *args],
                          input=password, capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_the_command_line_adds_lists_and_removes_accounts(tmp_path, clock):
    added = admin(tmp_path, "add-user", "marie", "--password-stdin", password=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert (tmp_path / "console.db").stat().st_mode & 0o077 == 0  # hashes and sessions: owner only
    assert admin(tmp_path, "list-users").stdout.split() == ["marie"]
    assert stores(tmp_path, clock).accounts.sign_in("marie", PASSWORD).ok
    refused = admin(tmp_path, "add-user", "marie", "--password-stdin", password="short\n")
    assert refused.returncode == 1 and "at least 10 characters" in refused.stderr
    assert admin(tmp_path, "remove-user", "marie").returncode == 0
    assert admin(tmp_path, "list-users").stdout.startswith("No accounts yet")
    assert admin(tmp_path, "remove-user", "marie").returncode == 1
