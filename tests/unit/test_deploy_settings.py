"""deploy/cluster.env is the one source of the deployment settings: docker-compose and
the Helm values agree with it (bot/tools/containers/settings.py)."""

from __future__ import annotations

import shutil

from bot.tools.cluster import CLUSTER_ENV, PRODUCTION_ENDPOINTS
from bot.tools.containers.settings import COMPOSE_FILE, HELM_VALUES, compose_problems, helm_problems, problems


def test_compose_and_helm_agree_with_cluster_env():
    assert problems() == []


def copies(tmp_path):
    """The four files in a folder of their own, to be changed by a test."""
    for path in (CLUSTER_ENV, COMPOSE_FILE, HELM_VALUES, PRODUCTION_ENDPOINTS):
        shutil.copy(path, tmp_path / path.name)
    return (tmp_path / CLUSTER_ENV.name, tmp_path / COMPOSE_FILE.name, tmp_path / HELM_VALUES.name,
            tmp_path / PRODUCTION_ENDPOINTS.name)


def test_a_changed_cluster_env_value_is_named_with_the_helm_file(tmp_path):
    env, _compose, values, endpoints = copies(tmp_path)
    env.write_text(env.read_text().replace("TICKET_LOCK_LIFETIME=20", "TICKET_LOCK_LIFETIME=45"))
    found = helm_problems(values, env, endpoints)
    assert len(found) == 1 and "values.yaml: extraEnv TICKET_LOCK_LIFETIME is '20'" in found[0], found
    assert "cluster.env says '45'" in found[0]


def test_a_helm_store_unlike_the_production_endpoints_is_named(tmp_path):
    env, _compose, values, endpoints = copies(tmp_path)
    values.write_text(values.read_text().replace("key_prefix: ${REDIS_KEY_PREFIX}\n", ""))
    assert any("lockStore.key_prefix is None" in p and "lock_store.key_prefix" in p
               for p in helm_problems(values, env, endpoints))


def test_compose_must_read_cluster_env_and_not_copy_it(tmp_path):
    env, compose, _values, _endpoints = copies(tmp_path)
    text = compose.read_text().replace("    env_file: cluster.env\n", "")
    compose.write_text(text.replace("      DB_HOST: postgres\n", "      DB_HOST: postgres\n      REDIS_DB: \"1\"\n"))
    found = compose_problems(compose, env)
    assert any("services.rasa.env_file must name" in p for p in found), found
    assert any("services.rasa.environment.REDIS_DB copies" in p for p in found), found
