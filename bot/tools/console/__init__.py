"""The organisers' web console at ``/admin/`` (docs/organisers.md).

Served by the Rasa server itself, as an input channel named in credentials.yml
(``channel.ConsoleInput``), like the chat page at ``/chat/``: no second web server.
It lives in ``bot/tools`` rather than ``bot/plugins`` because it is the organisers'
front end to the tools (FAQ check and import, publish, reports), which the plugins
layer may not import.

One module per area: ``accounts`` (organisers, passwords, lock-out), ``sessions``
(cookies and CSRF tokens), ``history`` (every change, restorable), ``web`` (the
blueprint: pages, sign-in, the guard every API call passes), and the areas ``faq``,
``inbox``, ``handoffs`` (over bot/plugins/handoff/api.py), ``publishing``, ``knowledge``
(content and programme), ``usage``. Their
state lives in SQLite under the var folder (``console.db``), so both Sanic workers of
``make run`` see the same accounts, sessions, lock-outs and publish jobs; the FAQ,
content and programme files stay the source of truth.
"""
