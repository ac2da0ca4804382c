"""Every model that tests create directly (`<Model>.objects.create(`, `.bulk_create(`,
`.get_or_create(`) in more than one test file has a factory_boy factory in tests/factories/,
so a change to what a model requires is made in one place, not in every file that builds one.

The scan reads each file under tests/ with `ast` and resolves the class name through the
file's own imports (aliases included, `from mdf.models import Program as MdfProgram`), falling
back to the one installed model of that name."""

from __future__ import annotations

import ast
import importlib
from collections import defaultdict
from pathlib import Path

import factory
import pytest
from django.apps import apps
from django.db import models

from prm.tenancy import tenant_context
from tests import factories

TESTS = Path(__file__).resolve().parents[1]
CREATES = {"create", "bulk_create", "get_or_create"}


def _imports(tree: ast.AST) -> dict[str, str]:
    """Local name -> dotted name of what `from x import y [as z]` bound (anywhere in the file)."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _model(name: str, dotted: str | None) -> type[models.Model] | None:
    if dotted:
        module, _dot, attr = dotted.rpartition(".")
        try:
            found = getattr(importlib.import_module(module), attr, None)
        except ImportError:
            found = None
        if isinstance(found, type) and issubclass(found, models.Model):
            return found
    same_name = [m for m in apps.get_models() if m.__name__ == name]
    return same_name[0] if len(same_name) == 1 else None


def model_creations(sources: dict[str, str]) -> dict[type[models.Model], set[str]]:
    """Model -> the files (of `sources`: file name -> source) that create it directly."""
    found: dict[type[models.Model], set[str]] = defaultdict(set)
    for filename, source in sources.items():
        tree = ast.parse(source, filename=filename)
        imported = _imports(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            manager = node.func.value
            if node.func.attr not in CREATES or not (
                isinstance(manager, ast.Attribute) and manager.attr == "objects"
            ):
                continue
            owner = manager.value
            if isinstance(owner, ast.Name):
                model = _model(owner.id, imported.get(owner.id))
            elif isinstance(owner, ast.Attribute):
                model = _model(owner.attr, None)
            else:
                model = None
            if model is not None:
                found[model].add(filename)
    return found


def factory_models() -> set[type[models.Model]]:
    made = set()
    for value in vars(factories).values():
        if (
            isinstance(value, type)
            and issubclass(value, factory.django.DjangoModelFactory)
            and not value._meta.abstract
        ):
            made.add(value._meta.get_model_class())
    return made


def test_every_model_created_in_more_than_one_test_file_has_a_factory():
    sources = {
        str(path.relative_to(TESTS)): path.read_text(encoding="utf-8")
        for path in sorted(TESTS.rglob("*.py"))
        if "factories" not in path.relative_to(TESTS).parts[:1]
    }
    have = factory_models()
    missing = {
        model._meta.label: sorted(files)
        for model, files in model_creations(sources).items()
        if len(files) > 1 and model not in have
    }
    assert not missing, "models created in several test files without a factory in " + (
        "tests/factories/:\n" + "\n".join(f"  {m}: {', '.join(f)}" for m, f in missing.items())
    )


def test_scan_resolves_aliases_and_counts_each_file_once():
    one = (
        "from partners.models import Product as Thing\n"
        "def make(t):\n"
        "    Thing.objects.create(tenant=t, name='a')\n"
        "    Thing.objects.get_or_create(tenant=t, name='b')\n"
    )
    two = "from mdf.models import Program as MdfProgram\nMdfProgram.objects.bulk_create([])\n"
    three = "from partners.models import Product\nProduct.objects.filter(name='a')\n"
    found = model_creations({"one.py": one, "two.py": one, "three.py": two, "four.py": three})
    from mdf.models import Program
    from partners.models import Product

    assert found == {Product: {"one.py", "two.py"}, Program: {"three.py"}}


ALL_FACTORIES = sorted(
    (
        value
        for value in vars(factories).values()
        if isinstance(value, type)
        and issubclass(value, factory.django.DjangoModelFactory)
        and not value._meta.abstract
    ),
    key=lambda f: f.__name__,
)


@pytest.mark.parametrize("model_factory", ALL_FACTORIES, ids=lambda f: f.__name__)
def test_each_factory_makes_a_valid_row_from_its_defaults(db, model_factory):
    obj = model_factory()
    tenant = getattr(obj, "tenant", None)
    if tenant is None:
        assert type(obj).objects.filter(pk=obj.pk).exists()
        return
    with tenant_context(tenant):
        assert type(obj).objects.filter(pk=obj.pk).exists()
        for field in obj._meta.concrete_fields:
            related = getattr(obj, field.name) if field.is_relation else None
            if related is not None and hasattr(related, "tenant_id"):
                assert related.tenant_id == tenant.pk, field.name
