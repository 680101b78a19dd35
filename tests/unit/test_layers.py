"""The package's layers (bot/__init__.py): conversation logic imports neither Rasa nor the
other layers; what plugs into Rasa never imports the tools."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, Tuple

import pytest

from tests.conftest import ROOT

FORBIDDEN = {
    "bot/conversation": ("rasa", "rasa_sdk", "bot.plugins", "bot.tools"),
    "bot/plugins": ("bot.tools",),
    "actions": ("rasa.", "bot.plugins", "bot.tools"),  # the action server carries rasa-sdk only
}


def imports(path: Path) -> Iterator[Tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_only_what_it_may(layer):
    found = [f"{path.relative_to(ROOT)}:{line} imports {name}"
             for path in sorted((ROOT / layer).rglob("*.py"))
             for line, name in imports(path)
             if any(name == prefix.rstrip(".") or name.startswith(prefix.rstrip(".") + ".") for prefix in FORBIDDEN[layer])]
    assert found == []


def test_the_layers_exist_and_each_module_lives_in_one():
    loose = sorted(p.name for p in (ROOT / "bot").glob("*.py") if p.name not in {"__init__.py", "__main__.py"})
    assert loose == []
    assert {p.name for p in (ROOT / "bot").iterdir() if p.is_dir() and p.name != "__pycache__"} == {
        "conversation", "plugins", "tools"}
    packages = [p for p in (ROOT / "bot").rglob("*") if p.is_dir() and p.name != "__pycache__"]
    assert all((package / "__init__.py").exists() for package in packages), packages
