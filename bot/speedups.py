"""Behaviour-preserving fixes for hot spots the profiler found in Rasa 3.6.21 itself.

Installed by ``bot.stores`` (every endpoints file of this project names its tracker
store, so every Rasa server process loads it); ``BOT_SPEEDUPS=off`` leaves Rasa as
shipped, to compare or to rule the patch out. Measurements: docs/performance.md.

* ``RemoteAction._validate_action_result`` calls ``jsonschema.validate`` on every
  action-server reply. That function first validates Rasa's (large, constant) events
  schema against the JSON-Schema meta-schema and builds a new validator, which took
  about a quarter of the Rasa server's CPU per message. Here the validator is built
  once; the reply is checked against the same schema, with the same error chosen
  (``best_match``) and the same message.
"""

from __future__ import annotations

import functools
import logging
import os
from typing import Any, Dict, Text

logger = logging.getLogger(__name__)

DISABLE_ENV = "BOT_SPEEDUPS"


@functools.lru_cache(maxsize=None)
def _validator(action_class: type) -> Any:
    """One validator per action class (the schema is a constant of the class)."""
    from jsonschema.validators import validator_for

    schema = action_class.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    """Same contract as Rasa's: True, or raise the best-matching ValidationError."""
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(_validator(type(self)).iter_errors(result))
    if error is None:
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> bool:
    """Apply the patches once per process; False when disabled."""
    if os.environ.get(DISABLE_ENV, "").lower() in {"off", "0", "false", "no"}:
        logger.info("%s=off: Rasa runs unpatched.", DISABLE_ENV)
        return False
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[assignment]
    return True
