"""The benchmarks' quick mode (PRM_BENCH_QUICK=1, used by .ci/run): fewer samples, and every
result it writes says so, so a quick number is never taken for a recorded one."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bench import common


def _samples_in_a_process(quick: bool) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PRM_BENCH_QUICK"}
    if quick:
        env["PRM_BENCH_QUICK"] = "1"
    code = "from bench.common import samples; print(samples(200, 40))"
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_quick_mode_takes_the_smaller_sample_only_when_asked():
    assert _samples_in_a_process(quick=False) == "200"
    assert _samples_in_a_process(quick=True) == "40"


def test_a_quick_result_is_marked_and_a_full_one_is_not(db, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(common, "RESULTS", tmp_path)
    monkeypatch.setattr(common, "QUICK", True)
    common.write("probe", "small", {"n": 1}, {"n": common.target(1, "<=", 2)})
    quick = json.loads((tmp_path / "probe-small.json").read_text())
    assert quick["quick"].startswith("fewer samples") and quick["pass"] is True

    monkeypatch.setattr(common, "QUICK", False)
    common.write("probe", "small", {"n": 1}, {"n": common.target(3, "<=", 2)})
    full = json.loads((tmp_path / "probe-small.json").read_text())
    assert "quick" not in full and full["pass"] is False
    capsys.readouterr()
