"""The demo tenant Acme Cloud, seeded by `manage.py seed_demo`."""
