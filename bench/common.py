"""What every benchmark shares: percentiles, memory, the machine, a result file with its
targets, and the big tenant's people."""

from __future__ import annotations

import datetime
import json
import os
import platform
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
NAMES = [
    "conflicts", "ropi", "health", "tiers", "pages", "api", "celery", "accounts", "incentives",
    "locator", "predict", "search", "statements", "marketing", "fresh",
]  # fmt: skip
HOST = "bench-big.localhost"
# PRM_BENCH_QUICK=1 (.ci/run): every benchmark runs end to end on fewer samples, to keep the
# benchmarks working in CI in a few minutes. Its numbers are marked "quick" and are not for
# the record: recorded results come from a full `make bench`.
QUICK = os.environ.get("PRM_BENCH_QUICK") == "1"


def samples(full, quick):
    """How many (or how long): `full` normally, `quick` in a PRM_BENCH_QUICK run."""
    return quick if QUICK else full


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return round(s[k], 3)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    mem = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "ram_gb": mem,
        "postgres": pg,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def target(value, op: str, limit) -> dict:
    ok = value <= limit if op == "<=" else value >= limit
    return {"value": value, "target": f"{op} {limit}", "pass": bool(ok)}


def write(name: str, scale: str, numbers: dict, targets: dict) -> dict:
    result = {
        "benchmark": name,
        "scale": scale,
        "numbers": numbers,
        "targets": targets,
        "pass": all(t["pass"] for t in targets.values()),
        **({"quick": "fewer samples (PRM_BENCH_QUICK=1): not for the record"} if QUICK else {}),
        "machine": machine(),
        "timestamp": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}-{scale}.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(json.dumps(result, indent=2, default=str), flush=True)
    return result


def analyze(*tables: str) -> None:
    """ANALYZE committed tables as the owner role: the benchmarks run as the application role,
    for which ANALYZE only warns "permission denied" and does nothing (PostgreSQL 16 lets
    only a table's owner analyse it). Rows written in a transaction that is still open are
    not seen by the owner's connection."""
    import psycopg

    url = os.environ.get("DATABASE_OWNER_URL")
    if not url:
        return
    with psycopg.connect(url, autocommit=True) as conn:
        for table in tables:
            conn.execute(f"ANALYZE {table}")  # table names are code


def big_tenant():
    from prm.models import Tenant

    return Tenant.objects.get(slug="bench-big")


def member(tenant, role: str):
    from prm.models import Member
    from prm.tenancy import tenant_context

    with tenant_context(tenant):
        qs = Member.objects.select_related("user", "partner").filter(role=role)
        if role.startswith("partner"):
            qs = qs.filter(partner__status="active")
        return qs.order_by("pk").first()


def typical_count(counts: list[int]) -> int:
    """The query count of a typical request: the most common one (the fewer on a tie). A
    host's tenant is read again whenever its two-second cache runs out, one query more in some
    requests whatever the scale, so the maximum would make scale comparisons flip."""
    return max(set(counts), key=lambda n: (counts.count(n), -n))


def celery_worker(queues: str) -> subprocess.Popen:
    """One Celery worker process (`-c 1`) on `queues`, as the benchmarks that measure the
    workers start it (log level BENCH_CELERY_LOG, default warning)."""
    celery = str(Path(sys.executable).with_name("celery"))
    return subprocess.Popen(  # noqa: S603 - our own binary and arguments
        [
            celery, "-A", "prm", "worker", "-c", "1", "-Q", queues,
            "-l", os.environ.get("BENCH_CELERY_LOG", "warning"),
            "--without-gossip", "--without-mingle",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
