"""The layers of docs/architecture.md, checked on the source: nothing imports a layer above it."""

import ast
from pathlib import Path

import pytest

ADVISOR = Path(__file__).resolve().parent.parent / "advisor"

# Layer of each module (dotted name under `advisor`), higher numbers above lower ones.
VIEWS, MIDDLE, MODELS, HELPERS, ENGINE = 4, 3, 2, 1, 0
ENGINE_MODULES = {"scoring", "sensitivity"}
HELPER_MODULES = {"types", "snapshots", "unanswered", "team", "search"}


def layer(module: str) -> int:
    top = module.split(".")[0]
    if top in ("views", "admin", "urls", "templatetags", "management"):
        return VIEWS
    if top == "models":
        return MODELS
    if top in HELPER_MODULES:
        return HELPERS
    if top in ENGINE_MODULES:
        return ENGINE
    return MIDDLE


def advisor_imports(path: Path) -> set[str]:
    """The `advisor.*` modules a file imports (module level and inside functions)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("advisor"):
            if node.module == "advisor":
                found.update(alias.name for alias in node.names)
            else:
                base = node.module.removeprefix("advisor.")
                names = [f"{base}.{alias.name}" for alias in node.names]
                # `from advisor.views import team` names a module; `from x import name` a name.
                found.update(n for n in names if (ADVISOR / (n.replace(".", "/") + ".py")).exists())
                found.add(base)
        elif isinstance(node, ast.Import):
            found.update(
                a.name.removeprefix("advisor.") for a in node.names if a.name.startswith("advisor.")
            )
    return found


def sources():
    for path in sorted(ADVISOR.rglob("*.py")):
        relative = path.relative_to(ADVISOR)
        if relative.parts[0] == "migrations":
            continue
        module = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        yield module, path


@pytest.mark.parametrize(("module", "path"), list(sources()), ids=lambda v: str(v))
def test_nothing_imports_a_layer_above_it(module, path):
    own = layer(module)
    upward = sorted(m for m in advisor_imports(path) if layer(m) > own)
    assert upward == [], f"advisor/{path.relative_to(ADVISOR)} imports {upward} from above"


def test_presentation_is_pure():
    """No query, no cache write (docs/architecture.md): presentation imports neither the
    database, the cache, the selectors nor the services."""
    for name in ("presentation.py", "team_presentation.py"):
        imported = advisor_imports(ADVISOR / name)
        text = (ADVISOR / name).read_text(encoding="utf-8")
        assert not imported & {"selectors", "services", "rendercache"}, name
        assert "django.db import" not in text and "django.core.cache" not in text, name


def test_the_engine_imports_nothing_from_django():
    for name in ENGINE_MODULES:
        text = (ADVISOR / f"{name}.py").read_text(encoding="utf-8")
        assert "django" not in text and not advisor_imports(ADVISOR / f"{name}.py") - ENGINE_MODULES


def test_the_checker_sees_an_upward_import(tmp_path):
    """The check can fail: a model module importing a view is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("from advisor.views import public\nfrom advisor import services\n")
    assert {m for m in advisor_imports(bad) if layer(m) > MODELS} == {
        "views",
        "views.public",
        "services",
    }
