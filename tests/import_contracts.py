"""A contract type for import-linter (`lint-imports`, configured in pyproject.toml): no module
imports another module's private (`_name`) functions, classes or modules. A name with a
leading underscore is its module's own business (a private module, its package's); what
other modules need is public.

Read from the source with `ast` (function-local imports included); imports inside one
module, dunder names and `_` (gettext) are fine. `allowed` lists the exceptions, each as
"importer -> module.name", with its reason in a comment.
"""

from __future__ import annotations

import ast
from pathlib import Path

from importlinter import Contract, ContractCheck, fields, output


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name != "_"


def _crosses_privacy(importer: str, target: str) -> bool:
    """True if `target` (a dotted module or module.name) has a private part the importer may
    not see: a private part belongs to its parent, and only the parent's own modules may use
    it. Names in a private module (`pkg._base._helper`) are the package's own, so a module of
    `pkg` may use them."""
    parts = target.split(".")
    for i, part in enumerate(parts):
        if not _private(part):
            continue
        owner = ".".join(parts[:i])
        if importer == owner or importer.startswith(owner + "."):
            if i + 1 < len(parts):
                return False  # a private module the importer may see: its names are shared
            continue
        return True
    return False


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def private_imports(root: Path, packages: list[str]) -> list[tuple[str, str, int]]:
    """(importer, imported module.name, line) for every private import across modules."""
    found = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            importer = _module_name(root, path)
            is_package = path.name == "__init__.py"
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom):
                    if node.level:
                        base = importer.split(".")
                        base = base[: len(base) - node.level + (1 if is_package else 0)]
                        module = ".".join([*base, *([node.module] if node.module else [])])
                    else:
                        module = node.module or ""
                    if module.split(".")[0] not in packages or module == importer:
                        continue
                    targets = [f"{module}.{a.name}" for a in node.names]
                elif isinstance(node, ast.Import):
                    targets = [a.name for a in node.names if a.name.split(".")[0] in packages]
                else:
                    continue
                for target in targets:
                    if _crosses_privacy(importer, target):
                        found.append((importer, target, node.lineno))
    return found


class NoPrivateImportsContract(Contract):
    type_name = "no_private_imports"

    packages = fields.ListField(subfield=fields.StringField())
    allowed = fields.SetField(subfield=fields.StringField(), required=False)

    def check(self, graph, verbose: bool) -> ContractCheck:
        allowed = {a.replace(" ", "") for a in (self.allowed or ())}  # type: ignore
        found = private_imports(Path.cwd(), list(self.packages))  # type: ignore
        broken = [f for f in found if f"{f[0]}->{f[1]}" not in allowed]
        used = {f"{f[0]}->{f[1]}" for f in found}
        warnings = [f"allowed private import no longer made: {a}" for a in allowed - used]
        return ContractCheck(
            kept=not broken,
            metadata={"broken": broken},
            warnings=warnings,
            ignored_import_count=len(found) - len(broken),
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, target, line in check.metadata["broken"]:
            output.print_error(f"{importer} (l.{line}) imports the private {target}", bold=False)
            output.new_line()
