"""The no-private-imports contract (tests/import_contracts.py, run by `lint-imports`) finds a
module importing another module's private names, and leaves a module's own and its
package's private module alone."""

from tests.import_contracts import private_imports


def _write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_private_names_imported_from_another_module_are_reported(tmp_path):
    _write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/services.py": "def _helper(): ...\ndef public(): ...\n",
            "app/views.py": (
                "from app.services import public, _helper\n"
                "def view():\n    from .services import _helper as h\n"
            ),
            "other/__init__.py": "import app._hidden\n",
        },
    )
    assert sorted(private_imports(tmp_path, ["app", "other"])) == [
        ("app.views", "app.services._helper", 1),
        ("app.views", "app.services._helper", 3),
        ("other", "app._hidden", 1),
    ]


def test_a_packages_private_module_is_shared_by_its_modules(tmp_path):
    _write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/services/__init__.py": "from app.services._base import _require\n",
            "app/services/_base.py": "def _require(): ...\n",
            "app/services/content.py": "from ._base import _require\nfrom django import _x\n",
            "app/views.py": "from gettext import gettext as _\n",
        },
    )
    assert private_imports(tmp_path, ["app"]) == []
