"""A Dockerfile read as Docker reads the parts the checks need.

Stages (``FROM … AS name``), their WORKDIR, ENV, COPY, RUN, USER, ENTRYPOINT and CMD, so a
test runs what the image runs instead of a retyped copy of it. Line continuations and
comment lines are handled as Docker does; build arguments are not (the project's
Dockerfiles have none, and an unexpanded ``$`` would show in the checks' output).
"""

from __future__ import annotations

import json
import posixpath
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple


class DockerfileError(ValueError):
    """The Dockerfile cannot be used as the checks need; the message names file and line."""


@dataclass(frozen=True)
class Copy:
    """One COPY: sources (context paths, or paths in ``stage``) to an absolute destination."""

    sources: Tuple[str, ...]
    destination: str
    stage: Optional[str]
    line: int

    def target(self, source: str) -> str:
        """Where ``source`` lands: a directory destination (ending in ``/`` or with
        several sources) receives it by name; otherwise the destination is its path."""
        if self.destination.endswith("/") or len(self.sources) > 1:
            return posixpath.join(self.destination, posixpath.basename(source.rstrip("/")))
        return self.destination


@dataclass
class Stage:
    base: str
    name: Optional[str]
    workdir: str = "/"
    env: Dict[str, str] = field(default_factory=dict)
    copies: List[Copy] = field(default_factory=list)
    runs: List[str] = field(default_factory=list)
    user: Optional[str] = None
    entrypoint: Optional[List[str]] = None
    cmd: Optional[List[str]] = None


@dataclass
class Dockerfile:
    path: Path
    stages: List[Stage]

    @property
    def image(self) -> Stage:
        """The last stage: the image that is built."""
        return self.stages[-1]

    def command(self) -> List[str]:
        """ENTRYPOINT + CMD of the image, as the container runs them. The image must
        declare its ENTRYPOINT: an inherited one cannot be read (or tested) from here."""
        image = self.image
        if image.entrypoint is None:
            raise DockerfileError(f"{self.path}: no ENTRYPOINT; it would be inherited from {image.base}")
        return image.entrypoint + (image.cmd or [])


def _logical_lines(text: str) -> Iterator[Tuple[int, str]]:
    """(first line number, instruction) with continuations joined, comments dropped."""
    parts: List[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("#") or (not line and not parts):
            continue
        if not parts:
            start = number
        if line.endswith("\\"):
            parts.append(line[:-1])
            continue
        parts.append(line)
        yield start, " ".join(parts)
        parts = []
    if parts:
        yield start, " ".join(parts)


def _exec_or_shell(argument: str) -> List[str]:
    """The JSON (exec) form as a list; the shell form as Docker runs it."""
    if argument.startswith("["):
        try:
            value = json.loads(argument)
        except json.JSONDecodeError:
            value = None
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return value
    return ["/bin/sh", "-c", argument]


def _env(argument: str) -> Dict[str, str]:
    words = shlex.split(argument)
    if words and "=" not in words[0]:  # legacy ``ENV KEY value with spaces``
        return {words[0]: " ".join(words[1:])}
    return dict(word.split("=", 1) for word in words)


def _copy(argument: str, workdir: str, line: int, where: str) -> Copy:
    words = _exec_or_shell(argument) if argument.startswith("[") else shlex.split(argument)
    stage = None
    paths = []
    for word in words:
        if word.startswith("--from="):
            stage = word.split("=", 1)[1]
        elif not word.startswith("--"):
            paths.append(word)
    if len(paths) < 2:
        raise DockerfileError(f"{where}:{line}: COPY needs a source and a destination")
    destination = paths[-1]
    if not destination.startswith("/"):
        trailing = "/" if destination.endswith("/") or destination in (".", "./") else ""
        destination = posixpath.normpath(posixpath.join(workdir, destination)) + trailing
    return Copy(tuple(paths[:-1]), destination, stage, line)


def parse(path: Path) -> Dockerfile:
    """The stages of the Dockerfile at ``path``."""
    stages: List[Stage] = []
    for line, text in _logical_lines(path.read_text(encoding="utf-8")):
        instruction, _, argument = text.partition(" ")
        instruction, argument = instruction.upper(), argument.strip()
        if instruction == "FROM":
            words = argument.split()
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base=words[0], name=name))
            continue
        if not stages:
            raise DockerfileError(f"{path}:{line}: {instruction} before FROM")
        stage = stages[-1]
        if instruction == "WORKDIR":
            stage.workdir = posixpath.join(stage.workdir, argument)
        elif instruction == "ENV":
            stage.env.update(_env(argument))
        elif instruction == "COPY":
            stage.copies.append(_copy(argument, stage.workdir, line, str(path)))
        elif instruction == "RUN":
            stage.runs.append(argument)
        elif instruction == "USER":
            stage.user = argument
        elif instruction == "ENTRYPOINT":
            stage.entrypoint = _exec_or_shell(argument)  # (only a base image's CMD is reset by it)
        elif instruction == "CMD":
            stage.cmd = _exec_or_shell(argument)
    if not stages:
        raise DockerfileError(f"{path}: no FROM")
    return Dockerfile(path, stages)
