"""The models package: its exports, its import rules, and the shape every model shares."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import attrs
import pytest

import tiintel.models as models

MODELS_DIR = Path(models.__file__).resolve().parent
OURS = sorted(
    p
    for p in MODELS_DIR.glob("*.py")
    if p.name != "correlation.py"  # owned elsewhere
)
ALLOWED_IMPORTS = (
    "attrs",
    "typing_extensions",
    "tiintel._exceptions",
    "tiintel._lazy",  # the package's lazy names (importlib only)
    "tiintel._types",
    "tiintel.models",
)
FORBIDDEN_STDLIB = {
    "io",
    "os",
    "socket",
    "pathlib",
    "subprocess",
    "urllib",
    "http",
    "asyncio",
    "json",
}


def test_all_is_sorted_and_complete() -> None:
    assert models.__all__ == sorted(models.__all__)
    for name in models.__all__:
        assert hasattr(models, name), name


def test_every_public_model_is_frozen_with_slots_and_documented() -> None:
    for name in models.__all__:
        value = getattr(models, name)
        if inspect.isclass(value):
            assert value.__doc__, name
            if attrs.has(value):
                assert "__slots__" in value.__dict__, name
                assert value.__setattr__ is not object.__setattr__, f"{name} is not frozen"
        elif callable(value):
            assert value.__doc__, name


@pytest.mark.parametrize("path", OURS, ids=lambda p: p.name)
def test_models_import_only_allowed_modules(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            continue
        for module in modules:
            top = module.split(".")[0]
            if top == "tiintel" or top in {"attrs", "typing_extensions"}:
                assert module.startswith(ALLOWED_IMPORTS), f"{path.name} imports {module}"
            else:
                assert top not in FORBIDDEN_STDLIB, (
                    f"{path.name} imports {module} (models are pure)"
                )


def _fixture(provider: str, name: str) -> object:
    import json

    base = Path(__file__).resolve().parents[1] / "fixtures" / provider
    return json.loads((base / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "build",
    [
        lambda: models.FileReport.from_api(
            _fixture("virustotal", "files_eicar_275a021b.json")["data"]  # type: ignore[index]
        ),
        lambda: models.DomainReport.from_api(
            _fixture("virustotal", "domains_github_com.json")["data"]  # type: ignore[index]
        ),
        lambda: models.Quotas.from_api(
            _fixture("virustotal", "users_overall_quotas.json")["data"]  # type: ignore[index]
        ),
        lambda: models.IndicatorDetails.from_api(
            _fixture("otx", "indicators_IPv4_general_one_pulse.rapid7.json")
        ),
        lambda: models.MalwareSamples.from_api(
            _fixture("otx", "indicators_IPv4_malware.demisto.json")
        ),
        lambda: models.Pulse.from_api(_fixture("otx", "pulses_id_details.json")),
    ],
)
def test_models_pickle_and_copy(build: object) -> None:
    import copy
    import pickle

    model = build()  # type: ignore[operator]
    assert pickle.loads(pickle.dumps(model)) == model
    assert copy.deepcopy(model) == model
    assert pickle.loads(pickle.dumps(model)).to_dict() == model.to_dict()
