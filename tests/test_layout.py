"""The direction of the house: `domain` is pure, `core` sits under everything, each stage imports only earlier
stages (in the regime's order), and nothing below the faces imports a face."""
import ast
from pathlib import Path

import pytest

from webapp.stages import ORDER

PACKAGE = Path(__file__).resolve().parents[1] / "webapp"
FRAMEWORKS = ("flask", "flask_login", "flask_wtf", "flask_migrate", "flask_sqlalchemy", "sqlalchemy", "werkzeug")


def imports(path: Path) -> set[str]:
    """Absolute module names a file imports (relative imports resolved against its package)."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def layer(module: str) -> tuple[str, int]:
    """('domain'|'core'|'stage'|'face'|'root', rank within stages) of a webapp module."""
    parts = module.split(".")
    if parts[0] != "webapp" or len(parts) == 1:
        return "root", 0
    if parts[1] == "stages":
        return ("stage", ORDER.index(parts[2])) if len(parts) > 2 and parts[2] in ORDER else ("stages", -1)
    return {"domain": "domain", "core": "core", "faces": "face"}.get(parts[1], "other"), 0


def violations(path: Path) -> list[str]:
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
    kind, rank = layer(module)
    out = []
    for target in sorted(imports(path)):
        if kind == "domain" and target.split(".")[0] in FRAMEWORKS:
            out.append(f"{module} (pure domain) imports {target}")
        if not target.startswith("webapp.") or target.startswith("webapp.domain"):
            continue
        t_kind, t_rank = layer(target)
        if kind == "domain":
            out.append(f"{module} (pure domain) imports {target}")
        elif kind == "core" and t_kind not in ("core",):
            out.append(f"{module} (core) imports {target}")
        elif kind == "stage" and (t_kind in ("face", "root", "other") or (t_kind == "stage" and t_rank > rank)):
            out.append(f"{module} (stage {ORDER[rank]}) imports the later {target}")
    return out


def package_files():
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def test_every_stage_is_a_package_of_the_order():
    assert sorted(p.name for p in (PACKAGE / "stages").iterdir() if (p / "__init__.py").exists()) == sorted(ORDER)


@pytest.mark.parametrize("path", package_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_one_way(path):
    assert violations(path) == []


def test_the_check_sees_a_backwards_import(tmp_path, monkeypatch):
    """The test itself can fail: a draw module importing review, or domain importing Flask, is reported."""
    fake = PACKAGE / "stages" / "draw" / "_backwards_probe.py"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: (
        "from webapp.stages.review import service\nfrom webapp.faces.api import bp\n" if self == fake
        else "import flask\n" if self.name == "_pure_probe.py" else Path.__dict__["read_text"](self)))
    assert violations(fake) == ["webapp.stages.draw._backwards_probe (stage draw) imports the later webapp.faces.api",
                                "webapp.stages.draw._backwards_probe (stage draw) imports the later webapp.faces.api.bp",
                                "webapp.stages.draw._backwards_probe (stage draw) imports the later webapp.stages.review",
                                "webapp.stages.draw._backwards_probe (stage draw) imports the later "
                                "webapp.stages.review.service"]
    assert violations(PACKAGE / "domain" / "_pure_probe.py") == ["webapp.domain._pure_probe (pure domain) imports flask"]
