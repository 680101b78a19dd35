"""The two images' entrypoints, run directly and offline (no container engine here).

For deploy/Dockerfile.rasa and deploy/Dockerfile.actions: a folder holding only what the
Dockerfile's COPY lines put in ``/app`` (bot/tools/containers/context.py ``assemble``),
and in it the Dockerfile's ENTRYPOINT + CMD with the image's ENV, ``/app`` read as that
folder, ``python`` the project's Python 3.10 (the images' is 3.10 too), run in a network
namespace with only loopback (tests/support/offline.py). The stores are the cluster's
(deploy/cluster.env) as docker-compose points them: PostgreSQL over its unix socket,
which crosses the namespace as a file, and a Redis of the test's own inside it. A file
the image lacks, or a start-up that needs the internet, fails here.

Not exercised: the images' own Python environments (the pins are checked in
tests/unit/test_build_context.py), and the non-root user 1001 (the project's Python
lives under /root here, which that user cannot read).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

from bot.tools.cluster import CLUSTER_ENV, DEPLOY, read_env_file
from bot.tools.containers.context import assemble
from bot.tools.containers.dockerfile import Dockerfile, parse
from bot.tools.containers.size import base_package, closure, pip_packages
from tests.cluster.conftest import pg_connect
from tests.conftest import ROOT
from tests.support.offline import OfflineNamespace
from tests.support.servers import trained_model

VENV_BIN = ROOT / ".venv" / "bin"
IMAGE_SITE = ROOT / "tests" / "support" / "image_site"  # imports limited to the image's packages
PG_SOCKET_DIR = "/var/run/postgresql"
READY_TIMEOUT_S = 240
# The ports the images' CMD lines name; inside the namespace nothing else uses them.
RASA_URL = "http://127.0.0.1:5005"
ACTIONS_URL = "http://127.0.0.1:5055"


def local_command(dockerfile: Dockerfile) -> List[str]:
    """The image's ENTRYPOINT + CMD, ``python`` being the project's (as PATH finds it)."""
    command = dockerfile.command()
    executable = shutil.which(command[0], path=str(VENV_BIN))
    assert executable, f"{dockerfile.path}: {command[0]} is not in {VENV_BIN}"
    return [executable, *command[1:]]


def local_env(dockerfile: Dockerfile, app: Path, extra: Dict[str, str]) -> Dict[str, str]:
    """The image's ENV with its WORKDIR read as ``app``, and nothing of the test's own
    environment but PATH (so no BOT_* setting leaks in). Of the .venv, only the packages
    the image installs can be imported (its base package's and its pip line's, with
    their dependencies: tests/support/image_site)."""
    workdir = dockerfile.image.workdir.rstrip("/")
    env = {key: value.replace(workdir, str(app)) if value.startswith(workdir) else value
           for key, value in dockerfile.image.env.items()}
    packages = closure([base_package(dockerfile), *pip_packages(dockerfile)])
    env["PYTHONPATH"] = f"{env.get('PYTHONPATH', '')}:{IMAGE_SITE}"
    return {"PATH": f"{VENV_BIN}:/usr/bin:/bin", "HOME": str(app), "LANG": "C.UTF-8",
            "IMAGE_DISTRIBUTIONS": ",".join(sorted(packages)), **env, **extra}


@pytest.fixture(scope="module")
def images() -> Iterator[Dict[str, object]]:
    if not Path(PG_SOCKET_DIR, f".s.PGSQL.{read_env_file(CLUSTER_ENV)['DB_PORT']}").exists():
        pytest.skip(f"PostgreSQL has no unix socket in {PG_SOCKET_DIR}")
    trained_model()
    work = Path(tempfile.mkdtemp(prefix="bot-images-"))
    namespace = OfflineNamespace(work / "log").start()
    database, prefix = f"bot_images_{uuid.uuid4().hex[:10]}", f"botimages{uuid.uuid4().hex[:8]}"
    # deploy/cluster.env as docker-compose overrides it, the hosts being this namespace's.
    stores = {**read_env_file(CLUSTER_ENV), "DB_HOST": PG_SOCKET_DIR, "REDIS_HOST": "127.0.0.1",
              "DB_NAME": database, "REDIS_KEY_PREFIX": prefix,
              "ACTION_SERVER_URL": f"{ACTIONS_URL}/webhook", "SANIC_WORKERS": "1"}
    try:
        redis = namespace.spawn("redis", ["redis-server", "--bind", "127.0.0.1", "--port", stores["REDIS_PORT"],
                                          "--save", "", "--appendonly", "no", "--dir", str(work)], work, {})
        started = {}
        for name in ("actions", "rasa"):
            dockerfile = parse(DEPLOY / f"Dockerfile.{name}")
            app = assemble(dockerfile, ROOT, work / name)
            env = local_env(dockerfile, app, stores if name == "rasa" else {})
            started[name] = namespace.spawn(name, local_command(dockerfile), app, env)
        namespace.wait_until_ready(f"{ACTIONS_URL}/health", started["actions"], READY_TIMEOUT_S)
        namespace.wait_until_ready(f"{RASA_URL}/", started["rasa"], READY_TIMEOUT_S)
        yield {"namespace": namespace, "database": database, "prefix": prefix, "redis": redis, "work": work}
    finally:
        namespace.stop()
        _drop_database(database)
        shutil.rmtree(work, ignore_errors=True)


def _drop_database(database: str) -> None:
    connection = pg_connect(read_env_file(CLUSTER_ENV)["DB_LOGIN_DB"])
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    connection.close()


def say(namespace: OfflineNamespace, sender: str, message: str) -> str:
    status, text = namespace.request(f"{RASA_URL}/webhooks/rest/webhook", {"sender": sender, "message": message})
    assert status == 200, text
    return "\n".join(reply.get("text", "") for reply in json.loads(text))


def test_no_route_out_of_the_namespace(images):
    """The premise: from where the servers run, the internet is unreachable."""
    status, error = images["namespace"].request("http://pypi.org/simple/", timeout=5)
    assert status == 0 and ("name resolution" in error or "unreachable" in error), error


def test_action_server_image_answers(images):
    status, text = images["namespace"].request(f"{ACTIONS_URL}/actions")
    assert status == 200, text
    assert {"action_answer", "action_agenda", "action_faq"} <= {a["name"] for a in json.loads(text)}


def test_rasa_image_answers_in_french_through_the_action_server(images):
    """The venue's answer is action_answer's (the action server), in the message's language,
    and the conversation is stored in the cluster's PostgreSQL database."""
    sender = f"image-{uuid.uuid4().hex[:8]}"
    reply = say(images["namespace"], sender, "Où se déroule la conférence ?")
    assert "Lamot" in reply and "Malines" in reply, reply
    connection = pg_connect(images["database"])
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM events WHERE sender_id = %s AND type_name = 'user'", (sender,))
            assert cursor.fetchone()[0] == 1
    finally:
        connection.close()


def test_rasa_image_answers_agenda_and_faq_questions(images):
    """The other two actions, whose files (programme, FAQ answers) the action image must hold."""
    sender = f"image-{uuid.uuid4().hex[:8]}"
    for question in ("When does the closing session start?", "what is the wifi password?"):
        reply = say(images["namespace"], sender, question)
        assert reply.strip() and "cannot look up" not in reply, f"{question!r}: {reply}"
    logs = images["namespace"].log("actions")
    assert "Traceback" not in logs, logs[-3000:]


def test_rasa_image_uses_the_clusters_redis(images):
    """BOT_ENDPOINTS of the image: the workers' registry is in Redis under the cluster's
    key prefix, not in a SQLite file of the container."""
    stores = read_env_file(CLUSTER_ENV)
    result = subprocess.run(
        images["namespace"].enter(["redis-cli", "-p", stores["REDIS_PORT"], "-n", stores["REDIS_DB"], "--scan",
                                   "--pattern", f"{images['prefix']}:*"]),
        capture_output=True, text=True, check=True,
    )
    assert f"{images['prefix']}:workers" in result.stdout.split(), result.stdout
    assert not (images["work"] / "rasa" / "var" / "locks.db").exists()
    assert os.path.isdir(images["work"] / "rasa" / "web" / "node_modules")
