"""One source of settings: ``deploy/cluster.env``, which ``make run-cluster`` reads.

docker-compose reads the file itself (``env_file``) and sets only what differs in
containers (service names for hosts, the password from the environment, the action
server behind nginx). Helm cannot read a file outside its chart, so
``deploy/helm/values.yaml`` repeats the settings the chart does not supply itself, and
its tracker and lock stores repeat ``deploy/endpoints.production.yml``; ``problems``
names every key that differs, and ``python -m bot deploy settings`` (and a unit test)
reports them. An operator edits cluster.env and runs that command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import yaml

from bot.tools.cluster import CLUSTER_ENV, DEPLOY, PRODUCTION_ENDPOINTS, read_env_file

COMPOSE_FILE = DEPLOY / "docker-compose.yml"
HELM_VALUES = DEPLOY / "helm" / "values.yaml"

# What Rasa's chart sets in the container itself, from its PostgreSQL and Redis settings
# (rasa-common's psql and redis envs), so values.yaml must not set it again.
CHART_SUPPLIED = frozenset(
    {"DB_HOST", "DB_PORT", "DB_USER", "DB_PASSWORD", "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD"}
)
# The chart's endpoint keys that are the chart's own switches, not Rasa's settings.
CHART_SWITCHES = frozenset({"enabled"})


def _yaml(path: Path) -> Dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping")
    return data


def _name(path: Path) -> str:
    return path.relative_to(DEPLOY.parent).as_posix() if path.is_relative_to(DEPLOY.parent) else str(path)


def compose_problems(compose_path: Path, env_path: Path) -> List[str]:
    """The Rasa service must read cluster.env and not copy its values; the PostgreSQL
    service must create the user and database that cluster.env names."""
    compose, defaults = _yaml(compose_path), read_env_file(env_path)
    where, source = _name(compose_path), _name(env_path)
    rasa = compose.get("services", {}).get("rasa", {})
    env_files = rasa.get("env_file") or []
    env_files = [env_files] if isinstance(env_files, str) else env_files
    problems = []
    if not any((compose_path.parent / f).resolve() == env_path.resolve() for f in env_files):
        problems.append(f"{where}: services.rasa.env_file must name {source}")
    overrides = rasa.get("environment") or {}
    for key, value in overrides.items():
        if key in defaults and str(value) == defaults[key]:
            problems.append(f"{where}: services.rasa.environment.{key} copies {source} ({value!r}); remove it")
    effective = {**defaults, **{key: str(value) for key, value in overrides.items()}}
    postgres = compose.get("services", {}).get("postgres", {}).get("environment") or {}
    user = str(postgres.get("POSTGRES_USER", "postgres"))  # the postgres image's defaults
    database = str(postgres.get("POSTGRES_DB", user))
    if user != effective["DB_USER"]:
        problems.append(
            f"{where}: services.postgres creates user {user!r}, {source} DB_USER is {effective['DB_USER']!r}"
        )
    if effective["DB_LOGIN_DB"] not in (database, user):
        problems.append(
            f"{where}: services.postgres creates database {database!r}, "
            f"{source} DB_LOGIN_DB is {effective['DB_LOGIN_DB']!r}"
        )
    if str(postgres.get("POSTGRES_PASSWORD")) != effective["DB_PASSWORD"]:
        problems.append(f"{where}: services.postgres POSTGRES_PASSWORD is not the rasa service's DB_PASSWORD")
    return problems


def helm_problems(values_path: Path, env_path: Path, endpoints_path: Path) -> List[str]:
    """extraEnv holds cluster.env's values (but the chart's own); the chart's tracker and
    lock stores are the production endpoints file's."""
    values, defaults, endpoints = _yaml(values_path), read_env_file(env_path), _yaml(endpoints_path)
    where, source = _name(values_path), _name(env_path)
    extra = {item["name"]: str(item.get("value", "")) for item in values.get("extraEnv") or []}
    problems = []
    for key, value in defaults.items():
        if key in CHART_SUPPLIED:
            if key in extra:
                problems.append(f"{where}: extraEnv {key} is set by the chart; remove it")
        elif key not in extra:
            problems.append(f"{where}: extraEnv lacks {key} (={value!r} in {source})")
        elif extra[key] != value:
            problems.append(f"{where}: extraEnv {key} is {extra[key]!r}, {source} says {value!r}")
    chart_endpoints = values.get("applicationSettings", {}).get("endpoints", {})
    for chart_key, rasa_key in (("trackerStore", "tracker_store"), ("lockStore", "lock_store")):
        chart = {k: v for k, v in (chart_endpoints.get(chart_key) or {}).items() if k not in CHART_SWITCHES}
        wanted = endpoints.get(rasa_key) or {}
        for key in sorted(set(chart) | set(wanted)):
            if str(chart.get(key)) != str(wanted.get(key)):
                problems.append(
                    f"{where}: applicationSettings.endpoints.{chart_key}.{key} is {chart.get(key)!r}, "
                    f"{_name(endpoints_path)} {rasa_key}.{key} is {wanted.get(key)!r}"
                )
    return problems


def problems(
    compose_path: Path = COMPOSE_FILE,
    values_path: Path = HELM_VALUES,
    env_path: Path = CLUSTER_ENV,
    endpoints_path: Path = PRODUCTION_ENDPOINTS,
) -> List[str]:
    """Every setting of docker-compose and Helm that differs from cluster.env."""
    return compose_problems(compose_path, env_path) + helm_problems(values_path, env_path, endpoints_path)
