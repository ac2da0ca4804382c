"""`make security` (bandit) scans every application package: a new app added to the import
contracts but forgotten in the Makefile's SECURITY_DIRS would go unscanned."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _security_dirs() -> set[str]:
    makefile = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    match = re.search(r"^SECURITY_DIRS\s*:=\s*(.+)$", makefile, re.MULTILINE)
    assert match, "Makefile defines no SECURITY_DIRS"
    return set(match.group(1).split())


def test_every_application_package_is_scanned_by_bandit():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = set(config["tool"]["importlinter"]["root_packages"])
    missing = packages - _security_dirs()
    assert not missing, f"add to SECURITY_DIRS in the Makefile: {sorted(missing)}"
