"""Every example runs at a small size, prints its results and reaches its usual quality.

Each example runs once with matplotlib (its plots are written) and once, at a tiny
size, as if matplotlib were not installed: it must still print its results and say
how to get the plots.
"""

import importlib.util
import inspect
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from sklearn_seq.datasets import load_airline

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# Small arguments for each example's main(): seconds each, yet trained enough for the
# quality checks below (the figures they reach are in the comments of the checks).
SMALL = {
    "quickstart": dict(n_samples=150, max_iter=10),
    "long_range_dependencies": dict(lags=(3,), n_samples=200, max_iter=15),
    "text_classification": dict(size="tiny"),
    "fraud_detection": dict(n_cards=400, fraud_rate=0.1, hidden_size=16, max_iter=20),
    "fraud_conformal": dict(n_cards=1200, fraud_rate=0.1, hidden_size=8, max_iter=10),
    "churn_prediction": dict(n_customers=200, hidden_size=8, max_iter=10, cv=2),
    "anomaly_detection": dict(n_steps=1200, window=16, hidden_size=8, max_iter=10),
    "demand_forecasting": dict(size="tiny"),
    "speaker_identification": dict(n_utterances=10, max_iter=20, search=False),
    "price_forecasting": dict(n_days=400, max_iter=2, search=True),
    "machine_faults": dict(n_streams=200, hidden_size=32, max_iter=40),
    "contract_entities": dict(n_clauses=400, max_iter=15),
    "explain_predictions": dict(n_sequences=100, n_tickets=200, max_iter=15, text_max_iter=2),
    "date_normalization": dict(n_train=1000, max_iter=8),
    "panel_forecasting": dict(n_stores=8, n_days=300, windows=(28, 35), hidden_size=16,
                              max_iter=20),
}

# Tiny arguments: the run without matplotlib checks only that the example completes.
TINY = {
    "quickstart": dict(n_samples=60, max_iter=2),
    "long_range_dependencies": dict(lags=(3,), n_samples=40, max_iter=2),
    "text_classification": dict(size="tiny"),
    "fraud_detection": dict(n_cards=150, fraud_rate=0.1, hidden_size=8, max_iter=2),
    "fraud_conformal": dict(n_cards=400, fraud_rate=0.1, hidden_size=4, max_iter=2),
    "churn_prediction": dict(n_customers=60, hidden_size=8, max_iter=2, cv=2),
    "anomaly_detection": dict(n_steps=1200, window=16, hidden_size=8, max_iter=2),
    "demand_forecasting": dict(size="tiny"),
    "speaker_identification": dict(n_utterances=4, max_iter=2, search=False),
    "price_forecasting": dict(n_days=400, max_iter=2, search=False),
    "machine_faults": dict(n_streams=20, hidden_size=4, max_iter=2),
    "contract_entities": dict(n_clauses=60, max_iter=2),
    "explain_predictions": dict(n_sequences=40, n_tickets=60, max_iter=1, text_max_iter=1),
    "date_normalization": dict(n_train=100, max_iter=1),
    "panel_forecasting": dict(n_stores=3, n_days=250, windows=(28,), hidden_size=4,
                              max_iter=2, n_splits=1),
}

PLOTS = {
    "quickstart": [],
    "long_range_dependencies": [],
    "text_classification": ["text_attention.png"],
    "fraud_detection": ["fraud_pr_curves.png"],
    "fraud_conformal": [],
    "churn_prediction": ["churn_roc_and_probabilities.png"],
    "anomaly_detection": ["anomaly_scores.png"],
    "demand_forecasting": ["demand_forecast.png", "demand_attention.png"],
    "speaker_identification": ["speaker_attention.png"],
    "price_forecasting": ["price_forecast.png"],
    "machine_faults": ["machine_faults.png"],
    "contract_entities": [],
    "explain_predictions": ["explain_sensors.png", "explain_tickets.png"],
    "date_normalization": ["date_alignment.png"],
    "panel_forecasting": ["panel_forecast.png"],
}

# Lines each example prints whatever its size: its results, and its reloaded model.
PRINTED = {
    "quickstart": [
        r"^\d+ sequences, 3 features per step, lengths \d+-\d+$",
        r"^ +LSTMClassifier: test accuracy [01]\.\d{3} after \d+ epochs$",
        r"^ +GRUClassifier: test accuracy [01]\.\d{3} after \d+ epochs$",
        r"^saved and reloaded quickstart_gru\.skseq \(safe format\): identical predictions$",
        r"^attention on the first test sequence peaks at step \d+ of \d+$",
    ],
    "long_range_dependencies": [
        r"^ +lag +RNN +LSTM +GRU +Transformer$",
        r"^ +3 +[01]\.\d{3} +[01]\.\d{3} +[01]\.\d{3} +[01]\.\d{3}$",
    ],
    "text_classification": [
        r"^Ticket routing",
        r"^ +tfidf: accuracy [01]\.\d{3}  macro F1 [01]\.\d{3}$",
        r"^ +birnn: accuracy [01]\.\d{3}  macro F1 [01]\.\d{3}$",
        r"^Order-dependent sentiment",
        r"^  best \{.*\}, cv accuracy [01]\.\d{3}$",
        r"^  saved and reloaded ticket_birnn\.joblib: identical predictions$",
    ],
    "fraud_conformal": [
        r"^ +90% +0\.\d{3} \(0\.\d{3}, [01]\.\d{3}\) ",
        r"^at 90%: coverage 0\.\d{3}, abstention rate \d+\.\d%",
    ],
    "fraud_detection": [
        r"^[\d,]+ transactions of [\d,]+ cards, 10\.0% fraudulent$",
        r"^ +pr_auc_gru: [01]\.\d{3}$",
        r"^ +pr_auc_hgb_aggregates: [01]\.\d{3}$",
        r"^ +pr_auc_chance: 0\.\d{3}$",
        r"^saved and reloaded fraud_gru_pipeline\.joblib: identical probabilities",
    ],
    "churn_prediction": [
        r"^[\d,]+ events of [\d,]+ customers, \d+% churned$",
        r"^  cross-validated ROC AUC [01]\.\d{3} with \{'pooling': 'last'\}$",
        r"^  cross-validated ROC AUC [01]\.\d{3} with \{'pooling': 'mean'\}$",
        r"^held-out ROC AUC [01]\.\d{3} \(pooling='(last|mean)'\)$",
        r"^customers most at risk:$",
        r"^saved and reloaded churn_gru_pipeline\.skseq \(safe format\): identical probabilities",
    ],
    "anomaly_detection": [
        r"^1,200 steps of 3 sensors, \d+\.\d% of steps anomalous$",
        r"^ +roc_auc: [01]\.\d{3}$",
        r"^ +roc_auc_level_shift: [01]\.\d{3}$",
        r"^ +flagged_share: [01]\.\d{3}$",
        r"^saved and reloaded anomaly_pipeline\.joblib: identical scores",
    ],
    "demand_forecasting": [
        r"^best of 1 candidates: ",
        r"^held-out 1960-01 to 1960-12, seed 0:$",
        r"^AttentionForecaster +[\d.]+ +[\d.]+ +[\d.]+$",
        r"^seasonal naive +47\.83 +50\.71 +9\.99$",
        r"^80% interval covers \d+% of the held-out months$",
        r"^daily demand, last 28 days one day ahead",
    ],
    "speaker_identification": [
        r"^\d+ utterances of \d+-\d+ frames, 13 coefficients$",
        r"^bidirectional LSTM: accuracy [01]\.\d{3}$",
        r"^logistic regression on frame statistics: accuracy [01]\.\d{3}$",
        r"^saved and reloaded speaker_lstm\.joblib: identical predictions$",
    ],
    "price_forecasting": [
        r"^ +GRU: MSE \d+\.\d{4}  MAE \d+\.\d{4}$",
        r"^ +naive: MSE \d+\.\d{4}  MAE \d+\.\d{4}$",
        r"^GRU MSE / naive MSE = \d\.\d{3} ",
        r"^saved and reloaded price_gru\.joblib: identical predictions$",
    ],
    "explain_predictions": [
        r"^Sensors: test accuracy [01]\.\d{3}; on \d+ predicted faults, \d+% of the attribution",
        r"^  deleting the 3 top-ranked steps changes the probability by [01]\.\d{3}, 3 random",
        r"^Tickets: test accuracy [01]\.\d{3}; the word that moved each ticket most",
    ],
    "contract_entities": [
        r"^\d+ training clauses \([\d,]+ tokens\), \d+ held out, in 4 languages$",
        r"^ +entity F1 +all +de +en +es +fr +PARTY +DATE +AMOUNT$",
        r"^ +token \+ neighbours \(LR\)( +[01]\.\d{3}){8}$",
        r"^ +BiRNNTextTagger( +[01]\.\d{3}){8}$",
        r"^saved and reloaded contract_tagger\.skseq: identical tags",
    ],
    "date_normalization": [
        r"^\d+ training dates, \d+ held out, in 4 languages, e\.g\. '.+' -> '\d{4}-\d\d-\d\d'$",
        r"^ +exact match +all +de +en +es +fr$",
        r"^ +nearest neighbour \(TF-IDF\)( +[01]\.\d{3}){5}$",
        r"^ +TextSeq2Seq greedy( +[01]\.\d{3}){5}$",
        r"^ +TextSeq2Seq beam 3( +[01]\.\d{3}){5}$",
        r"^alignment of '.+': \d+ output x \d+ input characters",
        r"^saved and reloaded date_normalizer\.skseq: identical outputs",
    ],
    "machine_faults": [
        r"^\d+ training streams of 3 sensors, lengths \d+-\d+, \d+\.\d% of steps in a fault$",
        r"^ +per-step boosting: macro F1 [01]\.\d{3}  \(normal [01]\.\d{3}  bearing [01]\.\d{3}"
        r"  overheat [01]\.\d{3}\)$",
        r"^ +GRUTagger: macro F1 [01]\.\d{3}  \(normal ",
        r"^saved and reloaded machine_faults\.skseq: identical labels",
    ],
    "panel_forecasting": [
        r"^\d+ stores, [\d,]+ store-days \(\d+-\d+ per store\) up to 2024-12-31, \d+% of days "
        r"with a promotion$",
        r"^  window  28: backtest MASE \d\.\d{3}$",
        r"^chosen window: \d+ days$",
        r"^ +MAE +RMSE +MAPE % +sMAPE % +MASE +coverage_80 +coverage_95 +naive MASE$",
        r"^28( +\d+\.\d{3}){8}$",
        r"^all( +\d+\.\d{3}){8}$",
        r"^forecast of the next 28 days: \d+ rows, \d+ stores, 2025-01-01 to 2025-01-28$",
        r"^store +date +forecast +lower_80 +upper_80 +lower_95 +upper_95$",
        r"^ +S01 2025-01-01( +\d+\.\d){5}$",
        r"^planned promotions raise the forecast of their days by -?\d+% ",
        r"^saved and reloaded panel_forecaster\.joblib: identical forecasts$",
        r"^saved and reloaded panel_forecaster\.skseq \(safe format\): identical forecasts$",
    ],
}

NO_MATPLOTLIB = 'plots skipped: matplotlib is not installed (pip install -e ".[plot]")'


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(name, kwargs, monkeypatch, tmp_path, capsys):
    """Run the example's main() writing under ``tmp_path``; return (result, stdout)."""
    module = _load(name)
    kwargs = dict(kwargs)
    if hasattr(module, "OUTPUT"):
        monkeypatch.setattr(module, "OUTPUT", tmp_path)
    if "output_dir" in inspect.signature(module.main).parameters:
        kwargs["output_dir"] = tmp_path
    result = module.main(**kwargs)
    return result, capsys.readouterr().out


def _assert_printed(name, out):
    lines = out.splitlines()
    for pattern in PRINTED[name]:
        assert any(re.search(pattern, line) for line in lines), (
            f"{name} did not print a line matching {pattern!r}:\n{out}"
        )


def check_quickstart(scores, out):
    # 0.76 (LSTM) and 0.74 (GRU) on 3 balanced classes (chance 0.33)
    assert set(scores) == {"LSTMClassifier", "GRUClassifier"}
    assert all(score > 0.6 for score in scores.values())
    assert "150 sequences" in out


def check_long_range_dependencies(rows, out):
    # lag 3 is easy for every cell: all reach 1.0 (chance 0.5)
    assert len(rows) == 1 and rows[0][0] == 3
    assert all(accuracy > 0.9 for accuracy in rows[0][1:])


def check_text_classification(results, out):
    # tickets, 5 intents (chance 0.2): TF-IDF 0.89, BiRNN 0.56 after 8 epochs
    assert set(results) == {"tfidf", "birnn"}
    assert results["tfidf"]["accuracy"] > 0.7
    assert results["birnn"]["accuracy"] > 0.4
    assert all(0 < r["macro_f1"] <= 1 for r in results.values())


def check_fraud_detection(scores, out):
    # PR-AUC: GRU 0.65, gradient boosting 0.90, chance 0.10
    assert scores["pr_auc_chance"] == pytest.approx(0.1)
    assert scores["pr_auc_gru"] > 3 * scores["pr_auc_chance"]
    assert scores["pr_auc_hgb_aggregates"] > 0.6


def check_fraud_conformal(results, out):
    # 300 test cards, a weak model (10 epochs): coverage 0.897 at 90% with 40.7% of
    # the sets ambiguous, 0.993 at 99%
    assert list(results) == [0.9, 0.95, 0.99]
    assert results[0.9]["coverage"] == pytest.approx(0.9, abs=0.05)
    assert results[0.99]["coverage"] > 0.95
    for r in results.values():
        assert r["approve"] + r["block"] + r["review"] == pytest.approx(1)
        assert r["abstention_rate"] + r["empty"] == pytest.approx(r["review"])


def check_churn_prediction(scores, out):
    # held-out ROC AUC 0.90 on 60 customers
    assert scores["roc_auc"] > 0.7
    assert scores["best_pooling"] in {"last", "mean"}
    assert 0 <= scores["cv_roc_auc"] <= 1
    at_risk = out.split("customers most at risk:\n")[1].splitlines()
    assert at_risk[0] == "customer_id"
    assert len([line for line in at_risk[1:6] if re.fullmatch(r"\d+ +0\.\d{3}", line)]) == 5


def check_anomaly_detection(metrics, out):
    # ROC AUC 0.88 overall, 0.92 on level shifts; the threshold flags about 21%
    # (of which 92% hold an anomaly)
    assert metrics["roc_auc"] > 0.65
    assert metrics["roc_auc_level_shift"] > 0.85
    assert 0 < metrics["flagged_share"] < 0.5


def check_demand_forecasting(results, out):
    # 12 held-out months of airline passengers: MAE 14 against seasonal naive's 47.8
    assert list(results.columns) == ["MAE", "RMSE", "MAPE %"]
    assert list(results.index) == ["AttentionForecaster", "seasonal naive", "Holt-Winters"]
    series = load_airline().to_numpy(dtype=np.float64)
    naive_mae = np.mean(np.abs(series[-12:] - series[-24:-12]))
    assert results.loc["seasonal naive", "MAE"] == pytest.approx(naive_mae)
    assert results.loc["AttentionForecaster", "MAE"] < 0.6 * naive_mae


def check_speaker_identification(scores, out):
    # 6 speakers (chance 0.17): LSTM 0.67, frame statistics 0.72
    assert scores["lstm_accuracy"] > 0.4
    assert scores["frame_stats_accuracy"] > 0.4
    assert "60 utterances" in out


def check_price_forecasting(scores, out):
    # a near random walk: the GRU is about as good as tomorrow = today
    assert 0.9 < scores["GRU_mse"] / scores["naive_mse"] < 1.1
    assert 0 < scores["naive_mae"] < 5


def check_contract_entities(results, out):
    # 400 clauses, 15 epochs: entity F1 0.994 for the tagger, 0.941 for the
    # logistic regression on tokens and neighbours (names never seen in training)
    tagger, baseline = results["BiRNNTextTagger"], results["token + neighbours (LR)"]
    assert tagger["all"] > baseline["all"] + 0.02
    assert tagger["PARTY"] > 0.95


def check_date_normalization(results, out):
    # 1000 dates, 8 epochs: exact match 0.8 or more in every language for the
    # encoder-decoder, under 0.05 for the nearest neighbour (few dates repeat)
    model, baseline = results["TextSeq2Seq greedy"], results["nearest neighbour (TF-IDF)"]
    assert all(model[lang] > 0.7 for lang in ("de", "en", "es", "fr"))
    assert results["TextSeq2Seq beam 3"]["all"] > 0.7
    assert baseline["all"] < 0.1


def check_machine_faults(results, out):
    # 200 streams, 40 epochs: macro F1 0.82 for the tagger, about 0.4 for boosting
    # on the readings of each step alone
    tagger, baseline = results["GRUTagger"], results["per-step boosting"]
    assert tagger["macro_f1"] > baseline["macro_f1"] + 0.2
    assert tagger["normal"] > 0.9


def check_explain_predictions(scores, out):
    # 100 sequences, 15 epochs: accuracy 1.0, 0.91 of the attribution on the burst;
    # deleting the top 3 steps changes the probability by 0.94, 3 random ones by 0.007
    assert scores["accuracy"] > 0.9
    assert scores["attribution_on_burst"] > 0.6
    assert scores["deletion_top3"] > 5 * scores["deletion_random3"]


def check_panel_forecasting(result, out):
    # 8 stores, 2 origins: MASE 0.69 against the seasonal naive's 0.85; intervals
    # cover 83% (80%) and 96% (95%); promotions lift the forecast by 6% (truth: 40%)
    assert result["window"] in result["windows"]
    metrics = result["metrics"]
    assert list(metrics.index) == [*range(1, 29), "all"]
    assert metrics.loc["all", "MASE"] < 0.9 * metrics.loc["all", "naive MASE"]
    assert metrics.loc["all", "coverage_80"] > 0.65
    assert metrics.loc["all", "coverage_95"] > 0.85
    forecast = result["forecast"]
    assert list(forecast.columns) == ["store", "date", "forecast", "lower_80", "upper_80",
                                      "lower_95", "upper_95"]
    assert len(forecast) == 8 * 28 and forecast["store"].nunique() == 8
    assert (forecast.groupby("store")["date"].diff().dropna() == np.timedelta64(1, "D")).all()
    bounds = forecast[["lower_95", "lower_80", "forecast", "upper_80", "upper_95"]].to_numpy()
    assert (np.diff(bounds, axis=1) >= 0).all() and (bounds > 0).all()
    assert result["future"][["store", "date"]].equals(forecast[["store", "date"]])
    assert result["promotion_lift"] > 0


def test_every_example_is_listed():
    scripts = {p.stem for p in EXAMPLES.glob("*.py")}
    assert scripts == set(SMALL) == set(TINY) == set(PLOTS) == set(PRINTED)


# explain_predictions draws Chinese tickets: where no CJK font is installed (as on CI)
# the library warns once how to get one and matplotlib reports the missing glyphs;
# that warning is tested in test_plotting. Only this example may emit them.
_NO_CJK_FONT = [
    pytest.mark.filterwarnings("ignore:The tokens hold Chinese:UserWarning"),
    pytest.mark.filterwarnings("ignore:Glyph .* missing from font:UserWarning"),
]


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=_NO_CJK_FONT if name == "explain_predictions" else [])
        for name in sorted(SMALL)
    ],
)
def test_example_prints_its_results_and_reaches_its_quality(name, monkeypatch, tmp_path, capsys):
    result, out = _run(name, SMALL[name], monkeypatch, tmp_path, capsys)
    _assert_printed(name, out)
    globals()[f"check_{name}"](result, out)
    for plot in PLOTS[name]:
        assert (tmp_path / plot).stat().st_size > 0
    assert NO_MATPLOTLIB not in out


@pytest.mark.parametrize("name", sorted(name for name in PLOTS if PLOTS[name]))
def test_example_runs_without_matplotlib(name, monkeypatch, tmp_path, capsys):
    if name == "explain_predictions":
        # captum imports matplotlib (one of its own requirements), so whoever has
        # captum has matplotlib: imported first, as earlier tests of the same worker
        # may have done, the run does not depend on the order of the tests.
        import captum.attr  # noqa: F401
    # As if matplotlib were not installed: importing it raises ModuleNotFoundError.
    for module in ("matplotlib", "matplotlib.pyplot"):
        monkeypatch.setitem(sys.modules, module, None)
    result, out = _run(name, TINY[name], monkeypatch, tmp_path, capsys)
    assert result is not None
    _assert_printed(name, out)
    assert out.count(NO_MATPLOTLIB) == 1
    assert not list(tmp_path.glob("*.png"))


def test_speaker_plot_when_the_search_prefers_mean_pooling(monkeypatch, tmp_path, capsys):
    # The full-size search can choose mean pooling, which has no attention to plot.
    module = _load("speaker_identification")
    monkeypatch.setattr(module, "OUTPUT", tmp_path)
    search = module.GridSearchCV
    monkeypatch.setattr(module, "GridSearchCV",
                        lambda pipe, grid, cv: search(pipe, {"lstmclassifier__pooling": ["mean"]},
                                                      cv=cv))
    module.main(n_utterances=6, max_iter=2, search=True)
    assert "the search chose pooling='mean'" in capsys.readouterr().out
    assert (tmp_path / "speaker_attention.png").stat().st_size > 0
