"""YAML parsed by libyaml, PyYAML's C parser, where PyYAML was built with it.

The same documents as ``yaml.safe_load`` (the same safe constructor), about twenty times
faster: the content files and the programme took 1.2 s to parse in pure Python, and each
Sanic worker and the action server paid it on its first question (docs/performance.md,
start-up). A file that does not parse is parsed again in Python for the error, whose
message quotes the offending line (libyaml's gives only its line and column): organisers
read it.
"""

from __future__ import annotations

from typing import Any

import yaml

FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """``yaml.safe_load(text)``, by libyaml when available; raises PyYAML's own error."""
    try:
        return yaml.load(text, Loader=FAST_LOADER)
    except yaml.YAMLError:
        return yaml.safe_load(text)
