"""Run pip-audit on requirements.lock and say plainly whether anything was audited.

pip-audit needs the vulnerability database (PyPI's JSON API or OSV). Without it, every
package is skipped and pip-audit still reports "No known vulnerabilities found", which
would be a false all-clear. This wrapper:
  - fails (exit 1) when a known vulnerability is found;
  - reports "NOT AUDITED" and exits 0 when the database could not be reached (offline CI),
    so a network outage does not break the build but is never mistaken for a pass.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def main() -> int:
    cmd = [
        str(BIN / "pip-audit"),
        "--no-deps",
        "--disable-pip",
        "--progress-spinner",
        "off",
        "-r",
        "requirements.lock",
        "-f",
        "json",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)  # noqa: S603
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        print("pip-audit: NOT AUDITED - the vulnerability database could not be reached:")
        print((proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["(no output)"])
        return 0
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    for dep in vulnerable:
        ids = ", ".join(v["id"] for v in dep["vulns"])
        print(f"pip-audit: {dep['name']} {dep['version']} is vulnerable: {ids}")
    if vulnerable:
        return 1
    if not audited:
        print(
            f"pip-audit: NOT AUDITED - none of {len(deps)} packages could be looked up "
            "(vulnerability database unreachable from here). Run `make security` with "
            "network access."
        )
        return 0
    skipped = len(deps) - len(audited)
    print(
        f"pip-audit: {len(audited)} packages audited, no known vulnerabilities"
        + (f" ({skipped} not found on PyPI)" if skipped else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
