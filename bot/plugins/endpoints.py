"""Which endpoints file a process runs with, and what it says, as Rasa reads it.

``python -m bot serve`` and ``cluster`` tell every server process its endpoints file
(``BOT_ENDPOINTS``) and the folder for its files (``BOT_VAR_DIR``, default ``var/``,
which ``endpoints.yml`` names as ``${BOT_VAR_DIR}``), so that the tools (reports,
publish, purge) and the channels' shared rate limits read the same stores as Rasa.
``${VAR}`` is replaced from the environment as Rasa does, and an unset variable is an
error naming it (Rasa refuses to start then, too).
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Any, Dict, Optional

import yaml

from bot import PROJECT_ROOT
from bot.plugins.shared_state import SharedState, from_lock_store

ENDPOINTS_ENV = "BOT_ENDPOINTS"
VAR_DIR_ENV = "BOT_VAR_DIR"
DEFAULT_ENDPOINTS = PROJECT_ROOT / "endpoints.yml"
_VARIABLE = re.compile(r"\$\{([^}]+)\}")


class EndpointsError(ValueError):
    """The endpoints file cannot be read; the message names the file and the reason."""


def var_dir() -> Path:
    """Where this process keeps its files (databases, token, logs): ``BOT_VAR_DIR`` or var/."""
    return Path(os.environ.get(VAR_DIR_ENV) or PROJECT_ROOT / "var")


def endpoints_file() -> Path:
    return Path(os.environ.get(ENDPOINTS_ENV) or DEFAULT_ENDPOINTS)


def _expanded(value: Any, path: Path, environment: Dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: _expanded(item, path, environment) for key, item in value.items()}
    if isinstance(value, list):
        return [_expanded(item, path, environment) for item in value]
    if not isinstance(value, str):
        return value
    missing = [name for name in _VARIABLE.findall(value) if name not in environment]
    if missing:
        raise EndpointsError(f"{path}: the environment variable {missing[0]} is not set")
    expanded = _VARIABLE.sub(lambda match: environment[match.group(1)], value)
    return yaml.safe_load(expanded) if expanded != value and expanded.strip() else expanded


def read_endpoint(section: str, path: Optional[Path] = None) -> Dict[str, Any]:
    """One section of the endpoints file (default: this process's) with ``${VAR}``
    replaced; {} when absent. Only that section's variables need to be set: a tool
    reading the tracker store needs no action-server address."""
    path = Path(path or endpoints_file())
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise EndpointsError(f"{path}: {error}") from None
    if not isinstance(data, dict):
        raise EndpointsError(f"{path}: expected a mapping of endpoints")
    value = data.get(section) or {}
    if not isinstance(value, dict):
        raise EndpointsError(f"{path}: {section} must be a mapping")
    return _expanded(value, path, {VAR_DIR_ENV: str(var_dir()), **os.environ})


def shared_state_for(path: Optional[Path] = None) -> SharedState:
    """The rate-limit buckets and worker registry that go with an endpoints file."""
    return from_lock_store(read_endpoint("lock_store", path), var_dir())


@functools.cache
def _process_shared_state(path: str, directory: str) -> SharedState:
    return shared_state_for(Path(path))


def process_shared_state() -> SharedState:
    """This process's shared state (one per endpoints file and folder)."""
    return _process_shared_state(str(endpoints_file()), str(var_dir()))
