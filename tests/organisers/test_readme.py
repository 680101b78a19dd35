"""The README's commands, as written: `make run` (the shared assistant, on its own port)
and the README's curl command, which must be answered in the language it asks in."""

from __future__ import annotations

import json
import re
import subprocess

from tests.conftest import ROOT


def readme_curl() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", readme, flags=re.S)
    curl = next(block for block in blocks if block.startswith("curl "))
    assert "make run" in blocks[0] and "make test" in blocks[0]  # the two commands
    return curl


def test_the_readme_s_curl_command_is_answered_in_french(servers):
    command = readme_curl().replace("127.0.0.1:5005", f"127.0.0.1:{servers.port}")
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    replies = json.loads(done.stdout)
    text = " ".join(reply["text"] for reply in replies)
    assert "Lamot" in text and "conférence" in text
