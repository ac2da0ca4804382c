"""Read-only API lists built from `QuerySet.values()`: the serializer's output without model
instances.

A 50-row page spent about a third of its Python in building model instances (and their
related partner and rules version) and walking them field by field. `ValuesListMixin.list`
reads the same rows as dictionaries instead (one `values()` query of exactly the columns the
serializer shows) and writes each row with the serializer's own fields:

* a field whose source is a column, an annotation or a column across a foreign key
  (`rules_version.version`) reads it from the row; None stays None, as DRF's `default=None`
  and a broken chain give;
* a nested serializer over a foreign key (`partner = PartnerRefSerializer()`) reads its
  fields as `partner__<source>`, and is None when the key is;
* a source that is a model property (`Deal.number`, `Deal.current_status`) is computed by the
  model's own property, on a bare instance holding the columns the serializer names for it in
  `values_sources` (no second copy of the logic);
* each value goes through the field's `to_representation`, except a `str` for a CharField, an
  `int` for an IntegerField and a `bool` for a BooleanField, which DRF returns unchanged.

Anything else (method fields, `source="*"`, many-related fields) is refused when the plan is
built, so an adopting list cannot quietly differ. The serializer must declare
`context_free = True` in its own body (its fields read no context, request or parent): its
fields are built once per process. Filtering, ordering and cursor pagination run on the
queryset as before (DRF's cursor reads the position from a dict as from an instance); the
ordering fields are read along. Adopters compare both outputs in their tests
(tests/prm/test_api_rows.py does for the deal and named-account lists).
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db.models.base import ModelState
from rest_framework import serializers
from rest_framework.response import Response

# DRF fields whose to_representation returns a value of this exact type unchanged.
_UNCHANGED = {
    serializers.CharField.to_representation: str,
    serializers.IntegerField.to_representation: int,
    serializers.BooleanField.to_representation: bool,
}
COLUMN, NESTED, COMPUTED = 0, 1, 2


class _Never:
    """No value is of this type: the value is always converted."""


class RowsPlan:
    """How to write one serializer's fields from `values()` rows of `model`. Steps are
    `(name, kind, key, convert, same)`."""

    def __init__(self, serializer_class, model):
        self.model = model
        self.sources = getattr(serializer_class, "values_sources", {})
        self.columns: list[str] = []
        serializer = serializer_class(context={})
        self.steps = [self._step(f, model, "") for f in serializer._readable_fields]

    def _column(self, key: str) -> str:
        if key not in self.columns:
            self.columns.append(key)
        return key

    def _step(self, field, model, prefix: str) -> tuple:
        name = field.field_name
        attrs = field.source_attrs
        if field.source == "*" or not attrs or isinstance(field, serializers.ManyRelatedField):
            raise TypeError(f"{name}: not a column (source {field.source!r})")
        if isinstance(field, serializers.BaseSerializer):
            if len(attrs) != 1 or isinstance(field, serializers.ListSerializer):
                raise TypeError(f"{name}: a nested serializer over one foreign key only")
            related = _model_field(model, attrs[0])
            if related is None or not related.many_to_one:
                raise TypeError(f"{name}: {attrs[0]} is not a foreign key")
            key = self._column(prefix + related.name)
            inner = tuple(
                self._step(f, related.related_model, f"{prefix}{related.name}__")
                for f in field._readable_fields
            )
            return (name, NESTED, key, inner, _Never)
        if len(attrs) == 1 and not prefix and attrs[0] in self.sources:
            columns = [self._column(c) for c in self.sources[attrs[0]]]
            return (name, COMPUTED, None, _computed(model, attrs[0], columns, field), _Never)
        path = []
        for attr in attrs:
            found = _model_field(model, attr) if model is not None else None
            if found is None and hasattr(model, attr):
                raise TypeError(f"{name}: {attr} is computed: name its columns in values_sources")
            if found is None and not prefix and len(attrs) == 1:
                path.append(attr)  # an annotation of the queryset (values() checks it)
                break
            if found is None or found.many_to_many or found.one_to_many:
                raise TypeError(f"{name}: {'.'.join(attrs)} is not a column")
            path.append(found.name)
            model = found.related_model if found.is_relation else None
        key = self._column(prefix + "__".join(path))
        same = _UNCHANGED.get(type(field).to_representation, _Never)
        return (name, COLUMN, key, field.to_representation, same)

    def represent(self, rows) -> list[dict]:
        steps = self.steps
        return [_write(steps, row) for row in rows]


def _write(steps, row) -> dict:
    item = {}
    for name, kind, key, convert, same in steps:
        if kind == COLUMN:
            value = row[key]
            item[name] = value if value is None or type(value) is same else convert(value)
        elif kind == NESTED:
            item[name] = None if row[key] is None else _write(convert, row)
        else:
            item[name] = convert(row)
    return item


def _model_field(model, name: str):
    """The model field called `name`, or whose column attribute is `name` (`partner_id`)."""
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        for field in model._meta.concrete_fields:
            if field.attname == name:
                return field
        return None


def _computed(model, attr: str, columns: list[str], field):
    """The model's own property, on a bare instance holding `columns` (no __init__, no
    database): a column it reads that is not listed would be loaded by a query, which the
    adopters' query-count tests would show."""
    prop = getattr(model, attr)
    if not isinstance(prop, property):
        raise TypeError(f"{model.__name__}.{attr} is not a property")
    getter = prop.fget
    attnames = [(column, _model_field(model, column).attname) for column in columns]

    def convert(row):
        instance = model.__new__(model)
        instance._state = ModelState()
        values = instance.__dict__
        for column, attname in attnames:
            values[attname] = row[column]
        value = getter(instance)
        return None if value is None else field.to_representation(value)

    return convert


_PLANS: dict[type, RowsPlan] = {}


def rows_plan(serializer_class, model) -> RowsPlan:
    """The plan of a serializer, built once per process."""
    plan = _PLANS.get(serializer_class)
    if plan is None:
        if not serializer_class.__dict__.get("context_free"):
            raise TypeError(f"{serializer_class.__name__} must declare context_free = True")
        plan = _PLANS[serializer_class] = RowsPlan(serializer_class, model)
    return plan


class ValuesListMixin:
    """`list` from `values()` rows (see the module's docstring), for a viewset whose list
    serializer is context-free. The response is the one ListModelMixin.list gives."""

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        plan = rows_plan(self.get_serializer_class(), queryset.model)
        columns = [*plan.columns, *_ordering_columns(self, plan.columns)]
        rows = queryset.values(*columns)
        page = self.paginate_queryset(rows)
        if page is None:
            return Response(plan.represent(rows))
        return self.get_paginated_response(plan.represent(page))


def _ordering_columns(view, shown: list[str]) -> list[str]:
    """The columns a cursor may be positioned on, when the rows do not show them already."""
    fields = getattr(view, "ordering_fields", None)
    if fields == "__all__":
        raise TypeError(f"{type(view).__name__}: name the ordering fields of a values() list")
    names = _as_list(fields)
    names += _as_list(getattr(view, "ordering", None))
    names += _as_list(getattr(view.paginator, "ordering", None))
    out = []
    for name in names:
        for part in _as_list(name):
            column = part.lstrip("-")
            # A field or a lookup across relations (`partner__name`): values() reads either,
            # and the cursor reads the row's key of that name.
            if column not in shown and column not in out:
                out.append(column)
    return out


def _as_list(value) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)
