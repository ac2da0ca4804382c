"""Tenant data: export and deletion of a whole tenant, and a person's own data (export and
erasure). Tables keep their historical `prm_*` names (state-only move out of the core)."""
