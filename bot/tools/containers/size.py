"""What each image adds to its base image, measured here (``python -m bot deploy size``).

* the pip layer: the packages its ``pip install`` line brings in beyond what the base
  image's own package (rasa, rasa-sdk) already needs, at our pins; measured as the
  installed files of those same versions in the project's .venv (the same wheels pip
  would unpack; no download, and no container engine needed);
* the base package's own environment at our pins, measured the same way: about what the
  base image's Python environment holds (its lock file may differ in patch versions);
* the COPY layers: the image's ``/app`` assembled from its COPY lines (context.py), with
  the model and the web page's node_modules shown apart.

The base images themselves cannot be measured here (Docker Hub is out of reach).
"""

from __future__ import annotations

import importlib.metadata as metadata
import re
import shlex
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Set

from packaging.requirements import Requirement

from bot.tools.containers.context import assemble
from bot.tools.containers.dockerfile import Dockerfile

# The package each base image is built around (its Python environment is that package's).
BASE_PACKAGES = {"rasa/rasa": "rasa", "rasa/rasa-sdk": "rasa-sdk"}
MB = 1024 * 1024


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pip_packages(dockerfile: Dockerfile) -> List[str]:
    """The package names on the image's ``pip install`` lines (options and their values left out)."""
    names = []
    for run in dockerfile.image.runs:
        for command in run.split("&&"):
            words = shlex.split(command)
            if words[:2] != ["pip", "install"]:
                continue
            skip = False
            for word in words[2:]:
                if skip:
                    skip = False
                elif word in ("-c", "-r", "--constraint", "--requirement", "--target", "-t"):
                    skip = True
                elif not word.startswith("-"):
                    names.append(word)
    return names


def base_package(dockerfile: Dockerfile) -> str:
    image = dockerfile.image.base.split(":")[0]
    if image not in BASE_PACKAGES:
        raise ValueError(f"{dockerfile.path}: unknown base image {dockerfile.image.base}")
    return BASE_PACKAGES[image]


def closure(names: Iterable[str]) -> Set[str]:
    """The installed distributions ``names`` need, themselves included (extras in
    ``name[extra]`` followed), as the project's environment has them."""
    seen: Set[str] = set()
    todo = [Requirement(name) for name in names]
    while todo:
        requirement = todo.pop()
        key = canonical(requirement.name)
        if key in seen and not requirement.extras:
            continue
        seen.add(key)
        for line in metadata.requires(requirement.name) or []:
            dependency = Requirement(line)
            environments = [{"extra": extra} for extra in requirement.extras] or [{"extra": ""}]
            wanted = dependency.marker is None or any(dependency.marker.evaluate(env) for env in environments)
            if wanted and canonical(dependency.name) not in seen:
                todo.append(dependency)
    return seen


def installed_size(distributions: Iterable[str]) -> int:
    total = 0
    for name in distributions:
        for file in metadata.distribution(name).files or []:
            path = Path(str(file.locate()))
            if path.is_file():
                total += path.stat().st_size
    return total


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


@dataclass
class ImageSize:
    dockerfile: Dockerfile
    base_bytes: int  # the base package's environment at our pins (≈ the base image's Python part)
    pip_added: List[str]
    pip_bytes: int
    copied_bytes: int
    parts: Dict[str, int]  # copied folders/files shown apart: model, node_modules

    @property
    def added_bytes(self) -> int:
        return self.pip_bytes + self.copied_bytes


def measure(dockerfile: Dockerfile, root: Path, apart: Iterable[str] = ("models", "web/node_modules")) -> ImageSize:
    """What ``dockerfile`` adds to its base image."""
    base = closure([base_package(dockerfile)])
    added = sorted(closure(pip_packages(dockerfile)) - base)
    with tempfile.TemporaryDirectory() as temporary:
        app = assemble(dockerfile, root, Path(temporary))
        parts = {part: folder_size(app / part) for part in apart if (app / part).exists()}
        copied = folder_size(app)
    return ImageSize(dockerfile, installed_size(base), added, installed_size(added), copied, parts)


def markdown(sizes: List[ImageSize], root: Path) -> str:
    lines = [
        "| image | base (its Python packages at our pins) | pip layer | copied files | of which | added in all |",
        "|---|---|---|---|---|---|",
    ]
    for size in sizes:
        parts = ", ".join(f"{name} {value / MB:.1f} MB" for name, value in size.parts.items()) or "—"
        lines.append(
            f"| {size.dockerfile.path.relative_to(root)} | "
            f"{size.dockerfile.image.base} ({size.base_bytes / MB:.0f} MB) | "
            f"{size.pip_bytes / MB:.0f} MB ({len(size.pip_added)} packages: {', '.join(size.pip_added)}) | "
            f"{size.copied_bytes / MB:.1f} MB | {parts} | {size.added_bytes / MB:.0f} MB |"
        )
    return "\n".join(lines)
