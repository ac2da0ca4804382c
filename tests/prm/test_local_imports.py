"""Imports sit at the top of a module; an import inside a function is kept only where a cycle (or
the app registry still loading) makes it necessary, and then says why in a comment on its line
or on the line right above its group of imports (architecture issue #16, item 3).

Not counted: imports under `if TYPE_CHECKING:` and optional dependencies
(`try: import x` / `except ImportError`). Migrations, tests and bench are not application code."""

from __future__ import annotations

import ast
import io
import re
import tokenize
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOQA = re.compile(r"noqa(:\s*[A-Z]+[0-9]+(\s*,\s*[A-Z]+[0-9]+)*)?", re.IGNORECASE)


def _application_files() -> list[Path]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = config["tool"]["importlinter"]["root_packages"]
    files = [ROOT / "manage.py"]
    for package in packages:
        files += [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]
    return sorted(files)


def _explaining_comments(source: str) -> dict[int, bool]:
    """Line number -> whether the line is a comment only; for lines carrying a comment that
    says something more than a bare `noqa` directive."""
    lines = source.splitlines()
    found = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.COMMENT:
            continue
        text = NOQA.sub("", token.string.lstrip("#"))
        if re.search(r"[A-Za-z]", text):
            row = token.start[0]
            found[row] = lines[row - 1].lstrip().startswith("#")
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _catches_import_error(node: ast.Try) -> bool:
    names = {"ImportError", "ModuleNotFoundError"}
    for handler in node.handlers:
        caught = handler.type
        types = caught.elts if isinstance(caught, ast.Tuple) else [caught]
        if any(isinstance(t, ast.Name) and t.id in names for t in types):
            return True
    return False


def uncommented_local_imports(source: str) -> list[int]:
    """Line numbers of the function-local imports in `source` that no comment explains."""
    comments = _explaining_comments(source)
    missing = []

    def explained(node, group_start) -> bool:
        own_lines = range(node.lineno, node.end_lineno + 1)
        return any(n in comments for n in own_lines) or comments.get(group_start - 1, False)

    def visit(body: list[ast.stmt], in_function: bool) -> None:
        group_start = None
        for node in body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                group_start = group_start or node.lineno
                if in_function and not explained(node, group_start):
                    missing.append(node.lineno)
                continue
            group_start = None
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(node.body, True)
            elif isinstance(node, ast.If) and _is_type_checking(node.test):
                visit(node.orelse, in_function)
            elif isinstance(node, ast.Try) and _catches_import_error(node):
                for handler in node.handlers:
                    visit(handler.body, in_function)
                visit(node.orelse, in_function)
                visit(node.finalbody, in_function)
                # the imports of the try body are the optional dependency: not counted
                visit(
                    [n for n in node.body if not isinstance(n, ast.Import | ast.ImportFrom)],
                    in_function,
                )
            else:
                for field in ("body", "orelse", "finalbody"):
                    visit(getattr(node, field, None) or [], in_function)
                for handler in getattr(node, "handlers", None) or []:
                    visit(handler.body, in_function)
                for case in getattr(node, "cases", None) or []:
                    visit(case.body, in_function)

    visit(ast.parse(source).body, False)
    return missing


SAMPLE = """
from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.models import Thing


def uncommented():
    from app.models import Thing

    return Thing


def commented_on_the_line():
    from app.tasks import run  # local: app.tasks imports this module

    return run


def commented_above_the_group():
    # local: app.services imports this module at load time
    from app import services
    from app.tasks import run

    return services, run


class Config:
    def ready(self):
        import app.signals  # noqa: F401
        from app import roles

        if roles:
            import app.extra

        return roles


def optional():
    try:
        import yaml
    except ImportError:
        yaml = None
    return yaml
"""


def test_a_local_import_without_a_comment_is_reported():
    assert uncommented_local_imports(SAMPLE) == [12, 33, 34, 37]


def test_module_level_and_type_checking_imports_need_no_comment():
    assert uncommented_local_imports("import os\nif TYPE_CHECKING:\n    import sys\n") == []


def test_every_function_local_import_in_the_application_says_why():
    offenders = []
    for path in _application_files():
        for line in uncommented_local_imports(path.read_text()):
            offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert offenders == [], (
        "Move these imports to the top of the module, or, if that makes an import cycle, keep "
        "them local with a comment saying why:\n" + "\n".join(offenders)
    )
