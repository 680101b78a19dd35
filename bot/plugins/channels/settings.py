"""Channel settings from environment variables: a channel is on when its variables are set.

Rasa's ``${VAR}`` substitution in credentials.yml fails on unset variables, so our
channels are listed in credentials.yml without parameters and read the environment
themselves. All required variables unset means the channel is off (the server starts
offline as before); only some of them set is a mistake, reported at start-up by name.
"""

from __future__ import annotations

import os
from typing import Dict, Mapping, Optional, Sequence


class ChannelSettingsError(ValueError):
    """A channel is half configured; the message names the missing variables."""


def read_settings(channel: str, required: Sequence[str], optional: Mapping[str, str]) -> Optional[Dict[str, str]]:
    """The channel's settings, or None when none of its required variables is set.

    ``optional`` maps variable names to defaults (e.g. the platform's public API URL).
    """
    values = {name: os.environ.get(name, "").strip() for name in required}
    given = [name for name, value in values.items() if value]
    if not given:
        return None
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise ChannelSettingsError(
            f"The {channel} channel is half configured: {', '.join(given)} set but "
            f"{', '.join(missing)} not. Set all of them or none (see docs/channels.md)."
        )
    for name, default in optional.items():
        values[name] = os.environ.get(name, "").strip() or default
    return values
