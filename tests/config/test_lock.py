"""requirements.lock pins every Python package with its hashes, and the environment the tests run in
is the locked one (issue 21: lower bounds only let a fresh machine install another stack than CI)."""

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

pytestmark = pytest.mark.database_independent
ROOT = Path(__file__).resolve().parents[2]


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def locked():
    """{name: version} of requirements.lock; fails on an entry without a hash."""
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pins = {}
    for block in re.split(r"\n(?=\S)", text):
        first = block.split("\n", 1)[0]
        if not first or first.startswith("#"):
            continue
        name, version = re.match(r"([A-Za-z0-9_.-]+)==([^ \\]+)", first).groups()
        assert "--hash=sha256:" in block, f"{name} is locked without a hash"
        pins[canonical(name)] = version
    return pins


def test_every_dependency_of_pyproject_is_locked():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = locked()
    declared = project["dependencies"] + project["optional-dependencies"]["test"]
    missing = [r for r in declared if canonical(Requirement(r).name) not in pins]
    assert not missing, f"not in requirements.lock (run `make lock`): {missing}"
    wrong = [f"{r} (locked {pins[canonical(Requirement(r).name)]})" for r in declared
             if pins[canonical(Requirement(r).name)] not in Requirement(r).specifier]
    assert not wrong, f"requirements.lock pins versions pyproject.toml excludes (run `make lock`): {wrong}"


def test_the_tests_run_in_the_locked_environment():
    differ = []
    for name, version in locked().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            differ.append(f"{name}: not installed")
            continue
        if installed != version:
            differ.append(f"{name}: {installed} installed, {version} locked")
    assert not differ, f"the environment is not requirements.lock (run `make setup`): {differ}"
