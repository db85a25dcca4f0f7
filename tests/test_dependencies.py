"""Every third-party distribution the code imports directly is declared in pyproject.toml.

The application (bot/, dialogs/, knowledge/) may only import what `[project].dependencies`
declares; the tests and benchmarks (tests/, bench/) may also import the `dev` extra. Something
that only arrives as another package's dependency (msrest through botbuilder, yarl through
aiohttp) can disappear or change under us when that package moves on, so it is declared too.

Imports are read with `ast` (every `import` and absolute `from … import`, also inside
functions); a module is mapped to its distribution with `importlib.metadata`. Namespace
packages shared by several distributions (`botbuilder.core`, `botbuilder.schema`) are mapped
by the files each distribution installs.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
APPLICATION = ("bot", "dialogs", "knowledge")
TOOLING = ("tests", "bench")
FIRST_PARTY = frozenset({*APPLICATION, *TOOLING})


def normalise(name: str) -> str:
    """A distribution name as PEP 503 compares them: `PyJWT` → `pyjwt`, `prometheus_client` →
    `prometheus-client`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    """The distribution a PEP 508 requirement names (`sqlalchemy[asyncio]>=2.0` → `sqlalchemy`)."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, f"not a requirement: {requirement!r}"
    return normalise(match.group(1))


def declared(pyproject: Path, *extras: str) -> set[str]:
    """The distributions `[project].dependencies` (and the given extras) declare."""
    project = tomllib.loads(pyproject.read_text("utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    return {requirement_name(requirement) for requirement in requirements}


def imported_modules(source: str) -> set[str]:
    """The absolute modules a file imports; `from a.b import c` gives `a.b.c` (c may be a
    module; `distributions_of` falls back to `a.b`)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def is_third_party(module: str) -> bool:
    top = module.split(".")[0]
    return top not in sys.stdlib_module_names and top not in FIRST_PARTY and top != "__future__"


@cache
def _top_level_distributions() -> dict[str, tuple[str, ...]]:
    return {top: tuple(dict.fromkeys(names))
            for top, names in metadata.packages_distributions().items()}


@cache
def _files_of(distribution: str) -> frozenset[str]:
    return frozenset(str(path) for path in metadata.distribution(distribution).files or ())


def distributions_of(module: str) -> set[str]:
    """The installed distributions that provide `module` (empty: none does)."""
    parts = module.split(".")
    candidates = _top_level_distributions().get(parts[0], ())
    if len(candidates) <= 1:
        return {normalise(name) for name in candidates}
    for length in range(len(parts), 0, -1):   # the longest prefix some distribution installs
        stem = "/".join(parts[:length])
        owners = {normalise(name) for name in candidates
                  if {f"{stem}/__init__.py", f"{stem}.py"} & _files_of(name)}
        if owners:
            return owners
    return {normalise(name) for name in candidates}


def undeclared_imports(files: Iterable[Path], allowed: set[str]) -> dict[str, set[str]]:
    """Third-party imports in `files` whose distribution is not in `allowed`, each with the
    files that make it (`<module> (not installed)` when no distribution provides it)."""
    problems: dict[str, set[str]] = {}
    for path in files:
        for module in imported_modules(path.read_text("utf-8")):
            if not is_third_party(module):
                continue
            providers = distributions_of(module)
            if not providers:
                problems.setdefault(f"{module.split('.')[0]} (not installed)", set()).add(str(path))
            elif not providers & allowed:
                problems.setdefault(" or ".join(sorted(providers)), set()).add(str(path))
    return problems


def python_files(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize(("folders", "extras"), [(APPLICATION, ()), (TOOLING, ("dev",))],
                         ids=["application", "tests-and-bench"])
def test_every_directly_imported_distribution_is_declared(folders: tuple[str, ...],
                                                          extras: tuple[str, ...]) -> None:
    files = python_files(*folders)
    assert len(files) > 20, "the walk found the code"
    problems = undeclared_imports(files, declared(ROOT / "pyproject.toml", *extras))
    assert not problems, "imported but not declared in pyproject.toml: " + "; ".join(
        f"{name} (in {', '.join(sorted(paths)[:3])})" for name, paths in sorted(problems.items()))


def test_an_undeclared_import_is_found(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\ndependencies = ["botbuilder-core>=4.17", '
                         '"SQLAlchemy[asyncio]>=2"]\n\n[project.optional-dependencies]\n'
                         'dev = ["pytest>=8"]\n', "utf-8")
    module = tmp_path / "module.py"
    module.write_text("from __future__ import annotations\nimport json\nimport sqlalchemy.orm\n"
                      "from botbuilder.core import TurnContext\nfrom bot.settings import Settings\n"
                      "def later():\n    import jwt\n    from botbuilder.schema import Activity\n"
                      "    import pytest\n    import no_such_module_anywhere\n", "utf-8")
    assert declared(pyproject) == {"botbuilder-core", "sqlalchemy"}
    assert declared(pyproject, "dev") == {"botbuilder-core", "sqlalchemy", "pytest"}
    problems = undeclared_imports([module], declared(pyproject))
    assert set(problems) == {"pyjwt", "botbuilder-schema", "pytest",
                             "no_such_module_anywhere (not installed)"}
    assert problems["pyjwt"] == {str(module)}
    assert set(undeclared_imports([module], declared(pyproject, "dev"))) == {
        "pyjwt", "botbuilder-schema", "no_such_module_anywhere (not installed)"}


def test_modules_map_to_the_distribution_that_installs_them() -> None:
    assert distributions_of("botbuilder.core.teams") == {"botbuilder-core"}
    assert distributions_of("botbuilder.schema.Activity") == {"botbuilder-schema"}
    assert distributions_of("jwt.algorithms") == {"pyjwt"}
    assert distributions_of("prometheus_client.parser") == {"prometheus-client"}
    assert requirement_name("sqlalchemy[asyncio]>=2.0.30,<2.2") == "sqlalchemy"
    assert requirement_name("PyJWT>=2.4,<3") == "pyjwt"
