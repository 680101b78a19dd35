"""bot.conversation.yaml_files: libyaml's parse is yaml.safe_load's, on every data file;
a file that does not parse gets PyYAML's own message, which quotes the line."""

from __future__ import annotations

import pytest
import yaml

from bot.conversation import yaml_files
from tests.conftest import ROOT


def test_every_data_file_reads_as_yaml_safe_load_reads_it():
    files = sorted((ROOT / "data").rglob("*.yml"))
    assert len(files) > 40
    assert yaml_files.FAST_LOADER is yaml.CSafeLoader  # the project's PyYAML wheel has libyaml
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yaml_files.safe_load(text) == yaml.safe_load(text), path


def test_a_file_that_does_not_parse_gets_the_message_that_quotes_the_line():
    with pytest.raises(yaml.YAMLError) as raised:
        yaml_files.safe_load("topic: venue\nanswers: [one, two\nsource: x\n")
    assert "answers: [one, two" in str(raised.value) and "line 2" in str(raised.value)
