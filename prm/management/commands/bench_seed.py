"""Benchmark data: `manage.py bench_seed --scale small|large` (see bench/README.md)."""

import json

from django.core.management.base import BaseCommand

from bench.seed import seed


class Command(BaseCommand):
    help = (
        "Build the benchmark tenants (slugs bench-*) with bulk COPY: one big tenant and 20 "
        "small ones. Earlier bench tenants are dropped first. Use a database of its own."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["small", "large"], default="small")

    def handle(self, *args, scale, **opts):
        info = seed(scale, log=lambda msg: self.stdout.write(msg))
        self.stdout.write(json.dumps(info))
        self.stdout.write(self.style.SUCCESS(f"bench data ({scale}) built in {info['seconds']}s"))
