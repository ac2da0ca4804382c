"""API conventions, checked over the generated OpenAPI schema: plural nouns in paths, ISO 8601
date-times, money as decimal strings next to a currency, cursor pagination on lists, documented
filters and ordering, and 400 answers with field errors. Justified exceptions are listed here
with their reason."""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

# Resources that are one thing (a singleton, a settings record, a computed report) or whose
# name is already a mass noun.
SINGULAR_OK = {
    "me",  # the caller
    "brand-kit",  # marketing/brand-kit: the caller's company's one brand kit
    "tenant",  # the caller's tenant
    "program-settings",
    "training-progress",
    "onboarding-progress",
    "notification-preferences",
    "rules",  # the current rules of engagement (plural already)
    "health",  # analytics/health: one current score per partner
    "ledger",  # mdf/ledger: the append-only ledger
    "roi",  # mdf/roi: a computed report
    "search",  # the global search: one computed answer over every kind
    "profile",  # locator/profile: the caller's company's one public profile
    "syndication",  # marketing/syndication: the caller's company's one content embed
}
# Grouping prefixes, not resources.
NAMESPACES = {"mdf", "analytics", "crm", "marketing", "locator"}
# Unpaginated arrays that are bounded by nature.
BOUNDED_LISTS = {
    "/api/v1/deals/{id}/timeline/": "one deal's history",
    "/api/v1/mdf/balances/": "one row per allocation of the caller's scope and program",
    "/api/v1/mdf/roi/": "one row per activity type",
    "/api/v1/incentives/balances/": "one row per currency of the caller's earnings",
    "/api/v1/partners/{id}/open-items/": "what one partner leaves open",
    "/api/v1/webhook-deliveries/{id}/attempts/": "attempts of one delivery (bounded retries)",
    "/api/v1/analytics/health/history/{partner_id}/": "at most 365 daily points",
    "/api/v1/plan-metrics/": "the figures a joint plan's goal can aim at (a registry of a few)",
    "/api/v1/locator/search/": "at most 50 results, like the public page (MAX_RESULTS)",
    "/api/v1/marketing/syndication/views/": "one row per asset the caller's embed showed in "
    "the last 90 days (at most the library it may see)",
}
MONEY = re.compile(r"(^|_)(amount|revenue|budget|balance|price)$")
# Field names that match MONEY but are not amounts.
NOT_MONEY = {
    "weight_won_revenue": "an integer weight of the health score (analytics settings)",
    "weight_revenue": "an integer weight of the fit score (ideal partner profile)",
}
# Amounts in a currency that the object they belong to states once. Request bodies are not
# checked: an amount sent is always in the currency of the object acted on.
CURRENCY_ELSEWHERE = {
    "LedgerEntry.amount": "in the program's currency; the allocation states it",
    "RulesVersion.auto_approve_max_amount": "in the tenant's default currency (/tenant/)",
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema, node):
    while isinstance(node, dict) and "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _operations(schema):
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            yield path, method, op


def test_paths_use_plural_nouns(schema):
    wrong = set()
    for path in schema["paths"]:
        for part in path.removeprefix("/api/v1/").strip("/").split("/"):
            if part.startswith("{"):
                break  # what follows an id is an action or a sub-resource of one object
            if part in NAMESPACES:
                continue
            if part in SINGULAR_OK:
                break
            if not part.endswith("s"):
                wrong.add(f"{part} in {path}")
            break
    assert not sorted(wrong)


def test_timestamps_are_iso_8601_date_times(schema):
    wrong = []
    for name, component in schema["components"]["schemas"].items():
        for field, prop in component.get("properties", {}).items():
            # A few `_at` fields are calendar dates (a deal's close date): ISO 8601 too.
            if field.endswith("_at") and prop.get("format") not in ("date-time", "date"):
                wrong.append(f"{name}.{field}: {prop}")
    assert not wrong


def test_money_is_a_decimal_string_with_a_currency(schema):
    wrong = []
    for name, component in schema["components"]["schemas"].items():
        props = component.get("properties", {})
        for field, prop in props.items():
            if field in NOT_MONEY or not MONEY.search(field):
                continue
            if f"{name}.{field}" in CURRENCY_ELSEWHERE:
                continue
            prop = _resolve(schema, prop)
            if prop.get("type") != "string" or prop.get("format") != "decimal":
                wrong.append(f"{name}.{field} is not a decimal string: {prop}")
            elif not name.endswith("Request") and not any("currency" in f for f in props):
                wrong.append(f"{name}.{field} has no currency next to it")
    assert not wrong, "\n".join(wrong)


def _list_operations(schema):
    for path, method, op in _operations(schema):
        if method != "get" or path.endswith("}/"):
            continue
        body = op["responses"].get("200", {}).get("content", {}).get("application/json", {})
        yield path, op, _resolve(schema, body.get("schema", {}))


def test_lists_use_cursor_pagination(schema):
    wrong = []
    for path, op, body in _list_operations(schema):
        if body.get("type") == "array" and path not in BOUNDED_LISTS:
            wrong.append(f"{path} returns an unpaginated array")
        if "results" in body.get("properties", {}):
            names = {p["name"] for p in op.get("parameters", [])}
            if not {"cursor", "page_size"} <= names:
                wrong.append(f"{path} does not document cursor and page_size")
    assert not wrong, "\n".join(wrong)


def test_list_filters_and_ordering_are_documented(schema):
    """Every list view with django-filter or ordering fields shows them as parameters."""
    documented = {
        path: {p["name"] for p in op.get("parameters", [])}
        for path, op, body in _list_operations(schema)
        # a router's collection, not an action on one object
        if op["operationId"].endswith("_list") and "{" not in path
    }
    assert documented["/api/v1/deals/"] >= {"status", "ordering"}
    assert "ordering" in documented["/api/v1/partners/"]
    undocumented = []
    for path, names in documented.items():
        view = _view_for(schema, path)
        if view is None:
            continue
        if getattr(view, "ordering_fields", None) and "ordering" not in names:
            undocumented.append(f"{path}: ordering")
        filterset = getattr(view, "filterset_class", None)
        if filterset is not None:
            missing = set(filterset.base_filters) - names
            if missing:
                undocumented.append(f"{path}: {sorted(missing)}")
    assert not undocumented, "\n".join(undocumented)


def _view_for(schema, path):
    from django.urls import Resolver404, resolve

    concrete = re.sub(r"\{[^}]+\}", "1", path)
    try:
        match = resolve(concrete)
    except Resolver404:
        return None
    cls = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
    return cls


def test_errors_are_documented_in_the_one_error_format(schema):
    wrong = []
    for path, method, op in _operations(schema):
        codes = set(op["responses"])
        needed = {"401", "403"}
        if method in ("post", "put", "patch", "delete"):
            needed |= {"400", "409"}
        for code in sorted(needed - codes):
            wrong.append(f"{method.upper()} {path}: {code} not documented")
        bad = op["responses"].get("400")
        if bad:
            body = _resolve(schema, bad["content"]["application/json"]["schema"])
            if "errors" not in body.get("properties", {}):
                wrong.append(f"{method.upper()} {path}: 400 without field errors")
    assert not wrong, "\n".join(wrong)
