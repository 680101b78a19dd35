"""Only the image's packages: run from tests/cluster/test_images.py with this folder on
PYTHONPATH, a process can import a third-party module only if its distribution is in
``IMAGE_DISTRIBUTIONS`` (comma-separated, what the image's base and pip line install).
Anything else of the project's .venv raises ModuleNotFoundError, as in the image."""

import importlib.abc
import importlib.metadata
import os
import re
import sys


def _canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


class _ImageOnly(importlib.abc.MetaPathFinder):
    def __init__(self, allowed):
        self.allowed = allowed
        self.owners = importlib.metadata.packages_distributions()

    def find_spec(self, fullname, path=None, target=None):
        owners = self.owners.get(fullname.partition(".")[0])
        if owners and not any(_canonical(owner) in self.allowed for owner in owners):
            raise ModuleNotFoundError(f"No module named {fullname!r} (not installed in the image)", name=fullname)
        return None


if os.environ.get("IMAGE_DISTRIBUTIONS"):
    sys.meta_path.insert(0, _ImageOnly({_canonical(n) for n in os.environ["IMAGE_DISTRIBUTIONS"].split(",")}))
