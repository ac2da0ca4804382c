"""The structure's measurable rules (docs/architecture.md): no Python module over 800 lines
outside migrations and the benchmark's seed data, training lives in its own app, and no portal
view picks its action from a POST field."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", ".data", ".git", "node_modules", "migrations", "__pycache__", "build"}
# The benchmark's seed data: one long script of generated rows, read top to bottom.
SEED_DATA = {"bench/seed.py"}
LIMIT = 800


def python_modules():
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if SKIP_DIRS.intersection(rel.parts) or rel.parts[0].startswith("."):
            continue
        yield rel, path


def test_no_python_module_is_over_800_lines():
    long = {
        str(rel): n
        for rel, path in python_modules()
        if str(rel) not in SEED_DATA
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert long == {}, f"split these modules by sub-area (over {LIMIT} lines): {long}"


def test_training_is_its_own_app_not_files_in_onboarding():
    assert list((ROOT / "onboarding").glob("training_*.py")) == []
    assert (ROOT / "training" / "apps.py").exists()


def _reads_post_field(node: ast.AST) -> str | None:
    """The key of `request.POST["key"]` / `request.POST.get("key")`, else None."""
    if isinstance(node, ast.Subscript):
        target, key = node.value, node.slice
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and node.args
    ):
        target, key = node.func.value, node.args[0]
    else:
        return None
    if (
        isinstance(target, ast.Attribute)
        and target.attr == "POST"
        and isinstance(key, ast.Constant)
        and isinstance(key.value, str)
    ):
        return key.value
    return None


def test_no_portal_view_dispatches_on_a_post_field():
    dispatch_keys = {"op", "action", "do", "verb", "command"}
    found = []
    for rel, path in python_modules():
        if rel.parts[0] in {"tests", "bench"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            key = _reads_post_field(node)
            if key in dispatch_keys:
                found.append(f"{rel}:{node.lineno} reads POST[{key!r}]")
    assert found == [], "give each action its own URL instead:\n" + "\n".join(found)


def test_the_post_field_reader_recognises_both_spellings():
    tree = ast.parse('request.POST["op"]\nrequest.POST.get("action")\nrequest.GET.get("op")\n')
    keys = [k for node in ast.walk(tree) if (k := _reads_post_field(node))]
    assert sorted(keys) == ["action", "op"]
