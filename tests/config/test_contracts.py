"""The import-linter contracts "only through services" are generated (tools/contracts.py) from the
packages on disk; pyproject.toml must hold exactly what the generator writes."""

import importlib.util
from pathlib import Path

TOOL = Path(__file__).resolve().parents[2] / "tools" / "contracts.py"


def _generator():
    spec = importlib.util.spec_from_file_location("contracts", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_contracts_in_pyproject_are_the_generated_ones():
    contracts = _generator()
    assert contracts.current(contracts.PYPROJECT.read_text()) == contracts.render(), \
        "pyproject.toml differs from the generated contracts: run python tools/contracts.py"


def test_every_module_of_every_other_package_is_covered():
    contracts = _generator()
    text = contracts.render()
    for app in contracts.owned():
        block = next(b for b in text.split("[[tool.importlinter.contracts]]") if f'forbidden_modules = ["isek.{app}"]' in b)
        for name in contracts.packages():
            if name != app and name not in contracts.WIRING:
                assert f'"isek.{name}"' in block, (app, name)  # the whole package, reports and presenters included
    assert {"concepts", "finance", "analysis", "monitoring", "geodata", "participation"} <= set(contracts.owned())
