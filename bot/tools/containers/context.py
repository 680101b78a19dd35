"""The build context: what ``.dockerignore`` leaves of the repository, and what the
COPY lines of an image take from it.

``assemble`` lays out an image's ``/app`` from its COPY lines alone, so that a test runs
the image's entrypoint on exactly the files the image would hold: a file the image
lacks is missing there too.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

from bot.tools.containers.dockerfile import Copy, Dockerfile, DockerfileError

# What a build stage of our Dockerfiles produces, and where `make install` produces the
# same thing with the same command (the web stage runs `npm ci` on web/package-lock.json).
STAGE_OUTPUTS: Dict[Tuple[str, str], str] = {("web", "/web/node_modules"): "web/node_modules"}


def _regex(pattern: str) -> re.Pattern:
    """Docker's pattern syntax (Go's filepath.Match plus ``**``) as a regular expression."""
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        out.append({"*": "[^/]*", "?": "[^/]"}.get(char, re.escape(char) if char != "[" else "["))
        if char == "[":
            end = pattern.index("]", i)
            out.append(pattern[i + 1 : end + 1].replace("!", "^", 1))
            i = end
        i += 1
    return re.compile("".join(out) + r"\Z")


@dataclass(frozen=True)
class DockerIgnore:
    """The rules of a ``.dockerignore``: the last matching rule decides, ``!`` re-includes,
    and a rule that matches a folder excludes everything in it."""

    rules: Tuple[Tuple[bool, re.Pattern, str], ...]

    @classmethod
    def read(cls, path: Path) -> "DockerIgnore":
        rules = []
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        for line in lines:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            include = line.startswith("!")
            pattern = os.path.normpath(line.lstrip("!").strip().lstrip("/"))
            rules.append((include, _regex(pattern), pattern))
        return cls(tuple(rules))

    def excluded(self, relative: str) -> bool:
        """Whether the context path ``relative`` (``a/b/c``) is left out of the build."""
        parts = relative.strip("/").split("/")
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        verdict = False
        for include, regex, _ in self.rules:
            if any(regex.match(prefix) for prefix in prefixes):
                verdict = not include
        return verdict

    def may_include_below(self, folder: str) -> bool:
        """Whether a ``!`` rule could bring back something inside an excluded folder."""
        return any(include and pattern.startswith(folder + "/") for include, _, pattern in self.rules)


def context_files(root: Path, ignore: DockerIgnore, below: Optional[Path] = None) -> Iterator[Path]:
    """Every file Docker sends as the build context of ``root`` (those inside ``below``)."""
    for folder, folders, files in os.walk(below or root):
        relative_folder = Path(folder).relative_to(root).as_posix()
        prefix = "" if relative_folder == "." else relative_folder + "/"
        folders[:] = [f for f in folders if not ignore.excluded(prefix + f) or ignore.may_include_below(prefix + f)]
        for name in files:
            if not ignore.excluded(prefix + name):
                yield Path(folder) / name


def tree_size(paths: Iterator[Path]) -> int:
    return sum(path.stat().st_size for path in paths if path.is_file())


def copy_problems(copy: Copy, root: Path, ignore: DockerIgnore, where: str) -> List[str]:
    """Why a COPY from the context would fail or copy nothing: a missing source, or one
    that ``.dockerignore`` leaves out (Docker then reports "not found" at build time)."""
    problems = []
    for source in copy.sources:
        matches = glob.glob(str(root / source))
        if not matches:
            problems.append(f"{where}:{copy.line}: COPY {source}: not in the repository")
            continue
        for match in matches:
            relative = Path(match).relative_to(root).as_posix()
            if Path(match).is_dir():
                sent = next(iter(context_files(root, ignore, Path(match))), None)
                if sent is None:
                    problems.append(f"{where}:{copy.line}: COPY {source}: .dockerignore leaves nothing of it")
            elif ignore.excluded(relative):
                problems.append(f"{where}:{copy.line}: COPY {source}: excluded by .dockerignore")
    return problems


def _place(source: Path, target: Path, root: Path, ignore: Optional[DockerIgnore]) -> None:
    """Copy as COPY does: a folder's contents into ``target``; ``ignore`` for context files."""
    if source.is_dir():
        files = context_files(root, ignore, source) if ignore else source.rglob("*")
        for path in files:
            if path.is_file():
                destination = target / path.relative_to(source)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, destination)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def assemble(dockerfile: Dockerfile, root: Path, into: Path) -> Path:
    """The image's WORKDIR as ``into``, holding what its COPY lines put there (files left
    out by .dockerignore included nowhere, a stage's output from where make builds it)."""
    ignore = DockerIgnore.read(root / ".dockerignore")
    image = dockerfile.image
    workdir = image.workdir.rstrip("/") + "/"
    for copy in image.copies:
        if not copy.destination.startswith(workdir):
            raise DockerfileError(f"{dockerfile.path}:{copy.line}: COPY to {copy.destination}, outside {workdir}")
        for source in copy.sources:
            if copy.stage:
                local = STAGE_OUTPUTS.get((copy.stage, source))
                if local is None:
                    raise DockerfileError(
                        f"{dockerfile.path}:{copy.line}: no local build of stage {copy.stage} {source}"
                    )
                matches, context = [root / local], None
            else:
                context = ignore
                matches = [Path(m) for m in glob.glob(str(root / source))]
            if not matches:
                raise DockerfileError(f"{dockerfile.path}:{copy.line}: COPY {source}: not in the repository")
            for match in matches:
                target = copy.target(match.name if len(matches) > 1 else source)
                _place(match, into / target[len(workdir) :], root, context)
    return into
