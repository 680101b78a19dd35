"""The Publish button's view of `python -m bot publish` (bot/tools/console/publishing.py): the
steps and the reason it stopped, read from the command's own output; the gate table."""

from __future__ import annotations

import json

from bot.tools.console.publishing import gate_table, read_steps

PUBLISHED = """-- Validate the training data and train the candidate model
   done in 121 s
-- Conversation tests and held-out NLU tests
   done in 27 s
-- Installed /p/models/current.tar.gz (model 1234)
-- Waiting for every worker of the running assistant to load it …
-- Every worker now answers with the new model (2: vm:5205:1, vm:5205:2).
Published in 766 s.
"""

FAILED = """-- Validate the training data and train the candidate model
   done in 130 s
-- Conversation tests and held-out NLU tests
   done in 30 s
| language | accuracy |

NOT PUBLISHED: Not published: held-out accuracy or macro-F1 fell below 0.95 / 0.93
in at least one language (table above).
"""


def test_the_steps_of_a_publish_are_read_from_its_output():
    steps, reason = read_steps(PUBLISHED)
    assert [s["key"] for s in steps] == ["train", "tests", "installed", "waiting", "loaded"]
    assert steps[1] == {"step": "Conversation tests and held-out NLU tests", "key": "tests", "state": "done",
                        "took": "27 s"}
    assert steps[2]["step"] == "Installed /p/models/current.tar.gz (model 1234)"
    assert reason == ""


def test_a_step_the_console_has_no_text_for_keeps_its_own_words():
    steps, _ = read_steps("-- Something new\n   done in 1 s\n")
    assert steps == [{"step": "Something new", "key": "", "state": "done", "took": "1 s"}]


def test_a_step_that_is_still_running():
    steps, _ = read_steps("-- Validate the training data and train the candidate model\n   done in 121 s\n"
                          "-- Conversation tests and held-out NLU tests\n")
    assert [s["state"] for s in steps] == ["done", "running"]


def test_the_reason_a_publish_stopped():
    steps, reason = read_steps(FAILED)
    assert reason.startswith("Not published: held-out accuracy") and "in at least one language" in reason
    assert all(s["state"] == "done" for s in steps)  # the gate failed after the last step ended


def test_the_gate_table_is_this_job_s_against_its_floors(tmp_path):
    path = tmp_path / "reports" / "publish" / "evaluation.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps([{"language": "fr", "examples": 258, "accuracy": 0.953, "macro_f1": 0.951},
                                {"language": "nl", "examples": 258, "accuracy": 0.94, "macro_f1": 0.95}]))
    rows = gate_table(tmp_path, 0.0, (0.95, 0.93))
    assert [(r["language"], r["passed"]) for r in rows] == [("fr", True), ("nl", False)]
    assert gate_table(tmp_path, path.stat().st_mtime + 1, (0.95, 0.93)) == []  # an earlier job's
