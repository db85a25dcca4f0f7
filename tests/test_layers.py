"""The packages' import rules, checked by walking every import in the source tree.

- `knowledge/` knows nothing of Teams: it imports neither `bot` nor `dialogs`.
- `dialogs/` may use `knowledge/`, never `bot/`.
- Inside `bot/`, each subpackage sits on a layer (`LAYERS`); a module may import from its own
  subpackage and from lower layers, never from a higher layer or from another subpackage on
  its own layer. A new subpackage must be given a layer here before its imports are allowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Lowest first. `settings` and `tasks` are the modules bot/settings.py and bot/tasks.py.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"tasks"}),
    frozenset({"storage", "auth"}),
    frozenset({"observability", "cards", "runtime"}),
    frozenset({"settings"}),
    frozenset({"connector"}),
    frozenset({"notifications", "middleware"}),
    frozenset({"handlers", "tab"}),
    frozenset({"web", "teams_app"}),
    frozenset({"cli"}),
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
TOP_LEVEL_MODULES_OUTSIDE_LAYERS = frozenset({"__main__", "__init__"})


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module `path` imports (absolute imports, anywhere in the file), with its line."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # `from bot import cards` names a subpackage through the alias
            if node.module in ("bot", "knowledge", "dialogs"):
                found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def bot_part(module: str) -> str | None:
    """The layer name of a `bot.…` module: its subpackage, or the top-level module's name."""
    parts = module.split(".")
    return parts[1] if parts[0] == "bot" and len(parts) > 1 else None


def test_every_bot_subpackage_has_a_layer() -> None:
    names = {path.name if path.is_dir() else path.stem
             for path in (ROOT / "bot").iterdir()
             if (path.is_dir() and (path / "__init__.py").exists()) or path.suffix == ".py"}
    assert names - TOP_LEVEL_MODULES_OUTSIDE_LAYERS == set(RANK)


@pytest.mark.parametrize("package", ["knowledge", "dialogs"])
def test_inner_packages_do_not_import_the_host(package: str) -> None:
    forbidden = ("bot",) if package == "dialogs" else ("bot", "dialogs")
    offenders = [f"{path.relative_to(ROOT)}:{line} imports {module}"
                 for path in sources(package) for line, module in imported_modules(path)
                 if module.split(".")[0] in forbidden]
    assert offenders == []


def test_bot_imports_only_downwards() -> None:
    offenders: list[str] = []
    for path in sources("bot"):
        relative = path.relative_to(ROOT / "bot")
        own = relative.parts[0] if len(relative.parts) > 1 else relative.stem
        if own in TOP_LEVEL_MODULES_OUTSIDE_LAYERS:
            continue
        for line, module in imported_modules(path):
            target = bot_part(module)
            if target is None or target == own:
                continue
            if target not in RANK or RANK[target] >= RANK[own]:
                offenders.append(f"bot/{relative}:{line} ({own}) imports {module} ({target})")
    assert offenders == []


def test_the_rule_catches_an_upward_import(tmp_path: Path) -> None:
    """The walker sees imports inside functions too: the check cannot pass by not looking."""
    module = tmp_path / "example.py"
    module.write_text("def later():\n    from bot.web.app import create_app\n    return create_app\n")
    assert imported_modules(module) == [(2, "bot.web.app")]
    assert RANK["web"] > RANK["storage"]
