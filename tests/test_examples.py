"""Every example runs at a tiny size, so none rots."""

import importlib.util
import inspect
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# Tiny arguments for each example's main().
TINY = {
    "quickstart": dict(n_samples=60, max_iter=2),
    "long_range_dependencies": dict(lags=(3,), n_samples=40, max_iter=2),
    "text_classification": dict(size="tiny"),
    "fraud_detection": dict(n_cards=150, fraud_rate=0.1, hidden_size=8, max_iter=2),
    "churn_prediction": dict(n_customers=60, hidden_size=8, max_iter=2, cv=2),
    "anomaly_detection": dict(n_steps=1200, window=16, hidden_size=8, max_iter=2),
    "demand_forecasting": dict(size="tiny"),
    "speaker_identification": dict(n_utterances=4, max_iter=2, search=False),
    "price_forecasting": dict(n_days=400, max_iter=2, search=False),
}


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_example_is_listed():
    scripts = {p.stem for p in EXAMPLES.glob("*.py")}
    assert scripts == set(TINY)


@pytest.mark.parametrize("name", sorted(TINY))
def test_example_runs(name, monkeypatch, tmp_path):
    module = _load(name)
    kwargs = dict(TINY[name])
    if hasattr(module, "OUTPUT"):
        monkeypatch.setattr(module, "OUTPUT", tmp_path)
    if "output_dir" in inspect.signature(module.main).parameters:
        kwargs["output_dir"] = tmp_path
    assert module.main(**kwargs) is not None
