"""The Publish button's view of `python -m bot publish` (bot/tools/console/publishing.py): the
steps and the reason it stopped, read from the command's own output; the gate table."""

from __future__ import annotations

import json

from bot.tools.console.publishing import gate_table, read_steps

PUBLISHED = """-- Validate training data
   done in 33 s
-- Train the candidate model
   done in 575 s
-- Conversation tests
   done in 43 s
-- Held-out NLU tests
   done in 84 s
-- Installed /p/models/current.tar.gz (model 1234)
-- Waiting for every worker of the running assistant to load it …
-- Every worker now answers with the new model (2: vm:5205:1, vm:5205:2).
Published in 766 s.
"""

FAILED = """-- Validate training data
   done in 30 s
-- Train the candidate model
   done in 500 s
-- Conversation tests
   done in 40 s
-- Held-out NLU tests
   done in 80 s
| language | accuracy |

NOT PUBLISHED: Not published: held-out accuracy or macro-F1 fell below 0.95 / 0.93
in at least one language (table above).
"""


def test_the_steps_of_a_publish_are_read_from_its_output():
    steps, reason = read_steps(PUBLISHED)
    assert [s["step"] for s in steps][:4] == ["Validate training data", "Train the candidate model",
                                              "Conversation tests", "Held-out NLU tests"]
    assert steps[1] == {"step": "Train the candidate model", "state": "done", "took": "575 s"}
    assert reason == ""


def test_a_step_that_is_still_running():
    steps, _ = read_steps("-- Validate training data\n   done in 33 s\n-- Train the candidate model\n")
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
