"""The images' build context, without a container engine: every COPY source of
deploy/Dockerfile.* exists and is sent (.dockerignore), the pip lines install our pins,
the base images are the pinned Rasa and rasa-sdk (Python 3.10 both)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict

import pytest

from bot.tools.containers.context import DockerIgnore, assemble, context_files, copy_problems, tree_size
from bot.tools.containers.dockerfile import DockerfileError, parse
from bot.tools.containers.size import MB, base_package, canonical, pip_packages
from tests.conftest import ROOT

DOCKERFILES = sorted((ROOT / "deploy").glob("Dockerfile.*"))
IGNORE = DockerIgnore.read(ROOT / ".dockerignore")
MODEL = "models/current.tar.gz"


def pins(path: Path) -> Dict[str, str]:
    """name → version of the ``name==version`` lines of a requirements file (extras dropped)."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s#]+)", line)
        if match:
            found[canonical(match.group(1))] = match.group(2)
    return found


@pytest.mark.parametrize(
    "dockerfile, copy",
    [(path, copy) for path in DOCKERFILES for copy in parse(path).image.copies if not copy.stage],
    ids=lambda value: value.name if isinstance(value, Path) else f"line{value.line}",
)
def test_every_copy_source_is_in_the_build_context(dockerfile, copy):
    if MODEL in copy.sources and not (ROOT / MODEL).exists():
        pytest.skip(f"{MODEL} is made by `make train`; without it this COPY cannot be checked")
    assert copy_problems(copy, ROOT, IGNORE, dockerfile.name) == []


def test_context_leaves_out_environments_outputs_and_caches(record_property):
    for path in (".venv/bin/python", "reports/x.json", "var/tracker.db", "web/node_modules/a/index.js",
                 ".git/HEAD", "bot/__pycache__/x.pyc", ".pytest_cache/v", "models/whitespace.tar.gz"):
        assert IGNORE.excluded(path), path
    for path in (MODEL, "bot/__init__.py", "web/package-lock.json", "data/content/venue.yml"):
        assert not IGNORE.excluded(path), path
    files = list(context_files(ROOT, IGNORE))
    size = tree_size(iter(files))
    record_property("build_context_mb", round(size / MB, 1))
    print(f"build context: {len(files)} files, {size / MB:.1f} MB")
    assert not [f for f in files if {".venv", "node_modules", "__pycache__", ".git"} & set(f.relative_to(ROOT).parts)]


def test_a_copy_of_an_ignored_file_is_reported(tmp_path):
    (tmp_path / "kept.txt").write_text("x")
    (tmp_path / "secret.txt").write_text("x")
    (tmp_path / ".dockerignore").write_text("secret.txt\n")
    (tmp_path / "Dockerfile").write_text("FROM base\nWORKDIR /app\nCOPY kept.txt secret.txt missing.txt ./\n")
    copy = parse(tmp_path / "Dockerfile").image.copies[0]
    problems = copy_problems(copy, tmp_path, DockerIgnore.read(tmp_path / ".dockerignore"), "Dockerfile")
    assert problems == ["Dockerfile:3: COPY secret.txt: excluded by .dockerignore",
                        "Dockerfile:3: COPY missing.txt: not in the repository"]


def test_dockerfile_parsing(tmp_path):
    (tmp_path / "Dockerfile").write_text(
        "FROM node AS web\nRUN npm ci\n# comment\nFROM python:3.10\nWORKDIR /app\n"
        "ENV A=1 B=\"two words\" \\\n    C=3\nCOPY --from=web /web/x ./x\nCOPY a b sub/\n"
        'CMD ["serve", "--port", "1"]\nENTRYPOINT ["python", "-m", "app"]\n'
    )
    dockerfile = parse(tmp_path / "Dockerfile")
    assert [s.name for s in dockerfile.stages] == ["web", None]
    assert dockerfile.image.env == {"A": "1", "B": "two words", "C": "3"}
    assert dockerfile.image.copies[0].stage == "web" and dockerfile.image.copies[0].destination == "/app/x"
    assert dockerfile.image.copies[1].target("b") == "/app/sub/b"
    assert dockerfile.command() == ["python", "-m", "app", "serve", "--port", "1"]
    (tmp_path / "Dockerfile").write_text('FROM rasa/rasa-sdk:3.6.2\nCMD ["start"]\n')
    with pytest.raises(DockerfileError, match="no ENTRYPOINT; it would be inherited from rasa/rasa-sdk:3.6.2"):
        parse(tmp_path / "Dockerfile").command()


def test_base_images_are_the_pinned_rasa_and_rasa_sdk():
    """Both are Ubuntu 22.04 images with its Python 3.10 (RasaHQ/rasa docker/Dockerfile.base,
    RasaHQ/rasa-sdk Dockerfile at 3.6.2), the version .venv is built with."""
    pinned = pins(ROOT / "requirements.txt")
    for path in DOCKERFILES:
        image, _, tag = parse(path).image.base.partition(":")
        assert tag == pinned[base_package(parse(path))], f"{path.name}: {image}:{tag}"


def test_pip_lines_install_our_pins():
    """Every package is pinned in constraints.txt (at requirements.txt's version where it
    lists it); the Rasa image adds exactly requirements.txt without what its base has."""
    required, constrained = pins(ROOT / "requirements.txt"), pins(ROOT / "constraints.txt")
    assert {k: constrained.get(k) for k in required} == required
    for path in DOCKERFILES:
        dockerfile = parse(path)
        assert any("-c constraints.txt" in run for run in dockerfile.image.runs if "pip install" in run), path.name
        for name in pip_packages(dockerfile):
            assert canonical(name) in constrained, f"{path.name}: {name} is not pinned in constraints.txt"
    rasa = parse(ROOT / "deploy" / "Dockerfile.rasa")
    assert {canonical(n) for n in pip_packages(rasa)} == set(required) - {"rasa", "rasa-sdk"}


def test_action_image_holds_the_conversation_layer_only(tmp_path):
    app = assemble(parse(ROOT / "deploy" / "Dockerfile.actions"), ROOT, tmp_path)
    assert (app / "bot" / "conversation" / "content" / "live.py").is_file()
    assert (app / "data" / "faq" / "answers.json").is_file() and (app / "data" / "sources.yml").is_file()
    assert not (app / "bot" / "plugins").exists() and not list(app.rglob("__pycache__"))
