"""``python -m bot admin add-user|remove-user|list-users|unlock``: the console's accounts.

Run on the server, in the project folder, for the var folder the assistant runs with
(``make run``'s ``VAR_DIR``, ``var/`` by default). The password is asked twice without
echo, or read from standard input with ``--password-stdin`` (scripts).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from bot.plugins.endpoints import var_dir
from bot.tools.console.accounts import AccountError
from bot.tools.console.stores import Stores


def _stores(args: argparse.Namespace) -> Stores:
    return Stores.in_folder(Path(args.var_dir))


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password (at least 10 characters): ")
    if getpass.getpass("The same password again: ") != first:
        raise AccountError("the two passwords differ")
    return first


def add_user(args: argparse.Namespace) -> int:
    stores = _stores(args)
    try:
        stores.accounts.add(args.name, _password(args), replace=args.replace)
    except AccountError as error:
        print(f"Not saved: {error}.", file=sys.stderr)
        return 1
    if args.replace:
        stores.sessions.close_all(args.name)
    print(f"The account '{args.name}' can sign in at /admin/ (accounts in {Path(args.var_dir) / 'console.db'}).")
    return 0


def remove_user(args: argparse.Namespace) -> int:
    stores = _stores(args)
    if not stores.accounts.remove(args.name):
        print(f"There is no account '{args.name}'.", file=sys.stderr)
        return 1
    stores.sessions.close_all(args.name)
    print(f"Removed '{args.name}' and closed its sessions.")
    return 0


def list_users(args: argparse.Namespace) -> int:
    names = _stores(args).accounts.names()
    print("\n".join(names) if names else "No accounts yet: python -m bot admin add-user NAME")
    return 0


def unlock(args: argparse.Namespace) -> int:
    _stores(args).accounts.unlock(args.name)
    print(f"'{args.name}' may sign in again.")
    return 0


def add_parser(commands: "argparse._SubParsersAction") -> None:
    """Registers ``admin`` and its subcommands on the top-level parser."""
    admin = commands.add_parser("admin", help="accounts of the organisers' web console at /admin/")
    admin.add_argument("--var-dir", default=str(var_dir()), help="the assistant's var folder (make run's VAR_DIR)")
    sub = admin.add_subparsers(dest="admin_command", required=True)
    parser = sub.add_parser("add-user", help="create an account (asks for its password)")
    parser.add_argument("name")
    parser.add_argument("--replace", action="store_true", help="set a new password for an existing account")
    parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    parser.set_defaults(handler=add_user)
    for name, handler, text in (
        ("remove-user", remove_user, "delete an account and sign it out"),
        ("unlock", unlock, "lift a lock-out after wrong passwords"),
    ):
        parser = sub.add_parser(name, help=text)
        parser.add_argument("name")
        parser.set_defaults(handler=handler)
    sub.add_parser("list-users", help="the account names").set_defaults(handler=list_users)
