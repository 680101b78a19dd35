"""The console's answers and programme: the knowledge-base files (``data/content/``, with the
source registry ``data/sources.yml``) and the programme (``data/programme/programme.yml``).

A file is edited as the YAML organisers already know (docs/content.md, docs/agenda.md),
every language side by side in one entry. A save is checked first by the validator the
assistant itself loads them with (every answer in six languages, every fact with its
source, …): a file that would be refused is not written, and the problems name the file
and the entry. A valid save replaces the file atomically, and the action server serves it
from the next question (it follows the files' modification times). Each save is recorded
in the history with the text before and after, and can be undone.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional

import yaml
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.conversation.agenda.loader import ProgrammeError, load_programme
from bot.conversation.content.loader import SOURCES_FILE_NAME, ContentError, load_content, sources_file_for
from bot.tools.console.database import exclusive
from bot.tools.console.guard import Console, blocking, error, json_body, ok, signed_in
from bot.tools.console.history import History
from bot.tools.console.sessions import Session

MAX_FILE_CHARS = 500_000


class UnknownFile(LookupError):
    """Not a file of the area; the message names what was asked."""


@dataclass(frozen=True)
class Outcome:
    saved: bool
    problems: List[str]

    def to_dict(self) -> dict:
        return {"saved": self.saved, "problems": self.problems}


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


class DataFiles:
    """One area's files: which exist, and how a proposed text of one is validated."""

    def __init__(
        self,
        area: str,
        files: Callable[[], Dict[str, Path]],
        validate: Callable[[str, str], List[str]],
        history: History,
        lock: Path,
    ) -> None:
        self.area = area
        self._files = files
        self._validate = validate
        self.history = history
        self._lock = lock

    def names(self) -> List[str]:
        return sorted(self._files())

    def path(self, name: str) -> Path:
        path = self._files().get(name)
        if path is None:
            raise UnknownFile(f"there is no file '{name}' among the {self.area} files")
        return path

    def read(self, name: str) -> str:
        return self.path(name).read_text(encoding="utf-8")

    def check(self, name: str, text: str) -> List[str]:
        self.path(name)
        if len(text) > MAX_FILE_CHARS:
            return [f"{name}: the text is longer than {MAX_FILE_CHARS} characters"]
        return self._validate(name, text)

    def save(self, user: str, name: str, text: str, action: str = "edit") -> Outcome:
        path = self.path(name)
        with exclusive(self._lock):
            problems = self.check(name, text)
            if problems:
                return Outcome(False, problems)
            before = path.read_text(encoding="utf-8")
            if before == text:
                return Outcome(True, [])
            _write_atomically(path, text)
        self.history.record(user, self.area, name, action, before, text)
        return Outcome(True, [])

    def restore(self, user: str, change_id: int, version: str) -> Outcome:
        change = self.history.get(change_id)
        if change is None or change.area != self.area:
            raise UnknownFile(f"there is no {self.area} change {change_id}")
        text = change.before if version == "before" else change.after
        return self.save(user, change.item, str(text), action="restore")


def _located(problems: List[str], temporary: Path, real: Path) -> List[str]:
    """Problems as the validator wrote them, naming the real folder, not the scratch copy."""
    return [problem.replace(str(temporary), str(real)) for problem in problems]


def content_area(directory: Path, history: History, lock: Path) -> DataFiles:
    """The topic files and ui.yml of ``directory``, and its source registry."""
    registry = sources_file_for(directory)

    def files() -> Dict[str, Path]:
        found = {path.name: path for path in sorted(directory.glob("*.yml"))}
        found[SOURCES_FILE_NAME] = registry
        return found

    def validate(name: str, text: str) -> List[str]:
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / "content"
            copy.mkdir()
            for path in directory.glob("*.yml"):
                shutil.copy(path, copy / path.name)
            sources = Path(scratch) / SOURCES_FILE_NAME
            shutil.copy(registry, sources)
            (sources if name == SOURCES_FILE_NAME else copy / name).write_text(text, encoding="utf-8")
            try:
                load_content(copy, sources)
            except ContentError as problem:
                return _located(_located(problem.problems, copy, directory), sources, registry)
        return []

    return DataFiles("content", files, validate, history, lock)


def programme_area(path: Path, history: History, lock: Path) -> DataFiles:
    def validate(_: str, text: str) -> List[str]:
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / path.name
            copy.write_text(text, encoding="utf-8")
            try:
                load_programme(copy)
            except ProgrammeError as problem:
                return _located(problem.problems, copy, path)
        return []

    return DataFiles("programme", lambda: {path.name: path}, validate, history, lock)


ANSWER_FIELDS = ("text", "after_event")


class AnswerEditError(ValueError):
    """An answer edit that cannot be applied to the file's text; the message says why."""


def answers_in(text: str) -> List[dict]:
    """The answers of a topic file as the page shows them: id, subject, facet, the texts per
    language, the sources (edited in the file itself)."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        return []
    answers = data.get("answers") if isinstance(data, dict) else None
    return [
        {
            "id": str(answer.get("id", "")),
            "subject": answer.get("subject") or "",
            "facet": answer.get("facet") or "",
            **{name: answer.get(name) or {} for name in ANSWER_FIELDS},
            "sources": answer.get("sources") or [],
        }
        for answer in (answers if isinstance(answers, list) else [])
        if isinstance(answer, dict)
    ]


def _child(node: yaml.Node, key: str) -> Optional[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return value
    return None


def with_answer_texts(text: str, answer_id: str, changes: Dict[str, Dict[str, str]]) -> str:
    """``text`` (a topic file) with the given texts of answer ``answer_id`` replaced, and nothing
    else touched: each value is found by its exact place in the file (PyYAML's node marks) and
    rewritten as a double-quoted string, so comments, order and layout stay as they were."""
    root = yaml.compose(text)
    answers = _child(root, "answers") if root is not None else None
    node = next(
        (
            item
            for item in (answers.value if isinstance(answers, yaml.SequenceNode) else [])
            if getattr(_child(item, "id"), "value", None) == answer_id
        ),
        None,
    )
    if node is None:
        raise AnswerEditError(f"there is no answer '{answer_id}' in this file")
    spans: List[tuple] = []
    for name, texts in changes.items():
        field_node = _child(node, name)
        for code, new in texts.items():
            value = _child(field_node, code) if field_node is not None else None
            if not isinstance(value, yaml.ScalarNode):
                raise AnswerEditError(f"{answer_id}: {name}.{code} is not in the file; add it in the file's text")
            if value.value != new:
                spans.append((value.start_mark.index, value.end_mark.index, json.dumps(new, ensure_ascii=False)))
    for start, end, replacement in sorted(spans, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _text_request(body: Optional[dict]) -> Optional[tuple]:
    name, text = (body or {}).get("name"), (body or {}).get("text")
    return (name, text) if isinstance(name, str) and isinstance(text, str) else None


def _answer_request(body: Optional[dict]) -> Optional[tuple]:
    """(file name, answer id, {field: {language: text}}) from the request's JSON, or None."""
    body = body or {}
    name, answer_id = body.get("name"), body.get("id")
    changes = {field: body[field] for field in ANSWER_FIELDS if field in body}
    valid = all(
        isinstance(texts, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in texts.items())
        for texts in changes.values()
    )
    if not isinstance(name, str) or not isinstance(answer_id, str) or not changes or not valid:
        return None
    return name, answer_id, changes


def routes(page: Blueprint, console: Console) -> None:
    lock = console.settings.var_dir / "console" / "files.lock"
    history = console.stores.history
    areas = {
        "content": content_area(console.settings.content_dir, history, lock),
        "programme": programme_area(console.settings.programme_file, history, lock),
    }
    guard = signed_in(console)

    @page.route("/api/files/<area:str>", methods=["GET"])
    @guard
    async def names(_: Request, __: Session, area: str) -> HTTPResponse:
        if area not in areas:
            return error(f"no such area: {area}", 404)
        return ok({"files": await blocking(areas[area].names)})

    @page.route("/api/files/<area:str>/<name:str>", methods=["GET"])
    @guard
    async def read(_: Request, __: Session, area: str, name: str) -> HTTPResponse:
        try:
            files = areas[area]
            text = await blocking(files.read, name)
        except (KeyError, UnknownFile) as problem:
            return error(str(problem), 404)
        changes = await blocking(lambda: files.history.changes(area, name, 30))
        answers = answers_in(text) if area == "content" else []
        return ok({"name": name, "text": text, "answers": answers, "history": [c.to_dict() for c in changes]})

    @page.route("/api/files/<area:str>/<action:str>", methods=["POST"])
    @guard
    async def change(request: Request, session: Session, area: str, action: str) -> HTTPResponse:
        files = areas.get(area)
        body = json_body(request)
        if files is None or action not in ("check", "save", "restore", "answer"):
            return error(f"no such action: {area}/{action}", 404)
        try:
            if action == "answer":
                edit = _answer_request(body)
                if edit is None:
                    return error("send JSON with 'name', 'id' and 'text'/'after_event': {language: text}", 400)
                name, answer_id, changes = edit
                try:
                    text = with_answer_texts(await blocking(files.read, name), answer_id, changes)
                except AnswerEditError as problem:
                    return error(str(problem), 409)
                outcome = await blocking(files.save, session.user, name, text)
            elif action == "restore":
                number, version = (body or {}).get("change"), (body or {}).get("version")
                if not isinstance(number, int) or version not in ("before", "after"):
                    return error("send JSON with 'change' (a history id) and 'version' ('before' or 'after')", 400)
                outcome = await blocking(files.restore, session.user, number, version)
            else:
                asked = _text_request(body)
                if asked is None:
                    return error("send JSON with 'name' (the file) and 'text' (its new content)", 400)
                if action == "check":
                    return ok({"problems": await blocking(files.check, *asked)})
                outcome = await blocking(files.save, session.user, *asked)
        except UnknownFile as problem:
            return error(str(problem), 404)
        return ok(outcome.to_dict(), status=200 if outcome.saved else 422)
