"""SequenceAnomalyDetector: detection quality, thresholds, ragged input, errors."""

import numpy as np
import pytest
import torch
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.covariance import LedoitWolf
from sklearn.metrics import roc_auc_score

from sklearn_seq.anomaly import (
    SequenceAnomalyDetector,
    _left_out_distances,
    _shrunk_gaussian,
    _shrunk_inverse,
)
from sklearn_seq.datasets import make_sensor_stream


def _windows(stream, labels, window=32, stride=8):
    X = sliding_window_view(stream, window, axis=0)[::stride].transpose(0, 2, 1).copy()
    y = sliding_window_view(labels, window)[::stride].max(axis=1)
    return X, y


@pytest.fixture(scope="module")
def sensor_windows():
    stream, labels = make_sensor_stream(n_steps=6000, n_anomalies=40, random_state=0)
    return _windows(stream, labels)


def test_detects_injected_sensor_anomalies(sensor_windows):
    X, y = sensor_windows
    half = len(X) // 2
    det = SequenceAnomalyDetector(cell="gru", hidden_size=16, max_iter=30, random_state=0)
    det.fit(X[:half])  # unlabelled training data, anomalies included
    scores = det.score_samples(X[half:])
    assert roc_auc_score(y[half:] > 0, -scores) > 0.8
    spikes = (y[half:] == 0) | (y[half:] == 1)
    assert roc_auc_score(y[half:][spikes] > 0, -scores[spikes]) > 0.95


def test_contamination_sets_the_share_of_training_outliers(sensor_windows):
    X, _ = sensor_windows
    X = X[:200]
    det = SequenceAnomalyDetector(hidden_size=8, max_iter=3, contamination=0.1, random_state=0)
    labels = det.fit(X).predict(X)
    assert (labels == -1).sum() == 20
    assert set(np.unique(labels)) == {-1, 1}


def test_decision_function_is_shifted_score_and_matches_predict(sensor_windows):
    X, _ = sensor_windows
    det = SequenceAnomalyDetector(hidden_size=8, max_iter=3, random_state=0).fit(X[:100])
    decision = det.decision_function(X[100:150])
    np.testing.assert_allclose(decision, det.score_samples(X[100:150]) - det.offset_)
    np.testing.assert_array_equal(det.predict(X[100:150]), np.where(decision < 0, -1, 1))


def test_auto_threshold_is_tukey_fence_of_training_errors(sensor_windows):
    X, _ = sensor_windows
    det = SequenceAnomalyDetector(hidden_size=8, max_iter=3, anomaly_score="error",
                                  random_state=0).fit(X[:101])
    errors = -det.score_samples(X[:101])
    q1, q3 = np.sort(errors)[[25, 75]]  # exact order statistics for 101 values
    assert det.offset_ == pytest.approx(-(q3 + 1.5 * (q3 - q1)))


def test_auto_threshold_of_the_state_score_is_the_fence_of_left_out_distances():
    # Each training sequence's distance from the estimate without it (the
    # shrinkage intensity kept), computed here the long way.
    rng = np.random.RandomState(0)
    X = _waves(10, 21, rng)
    det = SequenceAnomalyDetector(hidden_size=4, max_iter=5, dtype="float64",
                                  random_state=0).fit(X)
    network = det.net_.module_.eval()
    with torch.no_grad():
        summaries = network.summary(torch.as_tensor(X)).numpy()
    _, _, shrinkage = _shrunk_gaussian(summaries, np.ones(21))
    left_out = []
    for i in range(21):
        rest = np.delete(summaries, i, axis=0)
        centred = rest - rest.mean(axis=0)
        covariance = centred.T @ centred / 20
        shrunk = (1 - shrinkage) * covariance + shrinkage * np.trace(covariance) / 8 * np.eye(8)
        v = summaries[i] - rest.mean(axis=0)
        left_out.append(v @ np.linalg.solve(shrunk, v))
    q1, q3 = np.sort(left_out)[[5, 15]]  # exact order statistics for 21 values
    assert det.offset_ == pytest.approx(-(q3 + 1.5 * (q3 - q1)), rel=1e-6)


def test_the_state_threshold_fits_new_normal_sequences_after_a_small_training_set():
    # 12 training sequences: their own distances are far smaller than a new one's,
    # so a fence on those flagged 84-99% of new normal sequences (seeds 0-2).
    rng = np.random.RandomState(0)
    X, new = _waves(10, 12, rng), _waves(10, 200, rng)
    det = SequenceAnomalyDetector(hidden_size=16, max_iter=40, learning_rate_init=1e-2,
                                  random_state=0).fit(X)
    assert (det.predict(new) == -1).mean() < 0.1


def test_ragged_scores_equal_scores_of_each_sequence_alone():
    rng = np.random.RandomState(0)
    X = [rng.randn(n, 2).astype(np.float32) for n in (5, 9, 3, 7, 9, 4)]
    det = SequenceAnomalyDetector(hidden_size=8, max_iter=3, random_state=0).fit(X)
    together = det.score_samples(X)
    alone = np.array([det.score_samples([x])[0] for x in X])
    np.testing.assert_allclose(together, alone, rtol=1e-5)


def test_sample_weight_zero_equals_dropping_samples():
    rng = np.random.RandomState(0)
    X = rng.randn(20, 6, 2)
    w = np.r_[np.ones(15), np.zeros(5)]
    params = dict(hidden_size=8, max_iter=5, dtype="float64", random_state=0)
    weighted = SequenceAnomalyDetector(**params).fit(X, sample_weight=w)
    dropped = SequenceAnomalyDetector(**params).fit(X[:15])
    np.testing.assert_allclose(weighted.decision_function(X), dropped.decision_function(X))


def test_y_is_ignored():
    X = np.random.RandomState(0).randn(20, 6)
    a = SequenceAnomalyDetector(hidden_size=8, max_iter=2, random_state=0).fit(X)
    b = SequenceAnomalyDetector(hidden_size=8, max_iter=2, random_state=0).fit(X, np.arange(20))
    np.testing.assert_array_equal(a.score_samples(X), b.score_samples(X))


def test_early_stopping_watches_the_held_out_error():
    X = np.random.RandomState(0).randn(40, 6)
    det = SequenceAnomalyDetector(hidden_size=4, max_iter=30, early_stopping=True,
                                  n_iter_no_change=2, random_state=0).fit(X)
    assert len(det.validation_scores_) == det.n_iter_
    assert det.best_validation_score_ == max(det.validation_scores_)
    assert all(s < 0 for s in det.validation_scores_)  # negative errors


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(contamination=0.7), "contamination"),
        (dict(contamination="high"), "contamination"),
        (dict(cell="rnn"), "cell"),
    ],
)
def test_invalid_parameters(params, match):
    X = np.random.RandomState(0).randn(20, 6)
    with pytest.raises(ValueError, match=match):
        SequenceAnomalyDetector(**params).fit(X)


def test_unfitted_and_wrong_width():
    from sklearn.exceptions import NotFittedError

    X = np.random.RandomState(0).randn(20, 6, 2)
    with pytest.raises(NotFittedError, match="not fitted"):
        SequenceAnomalyDetector().score_samples(X)
    det = SequenceAnomalyDetector(hidden_size=8, max_iter=2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="features per time step"):
        det.predict(X[:, :, :1])


def test_attention_weights_is_absent():
    # Issue 17: SequenceAnomalyDetector().fit(X).attention_weights(X) raised
    # "'SequenceAnomalyDetector' object has no attribute 'pooling'"; the detector has
    # no attention, so it has no attention_weights.
    X = np.random.RandomState(0).randn(20, 6)
    det = SequenceAnomalyDetector(hidden_size=4, max_iter=1, random_state=0).fit(X)
    assert not hasattr(SequenceAnomalyDetector(), "attention_weights")
    assert not hasattr(det, "attention_weights")
    with pytest.raises(AttributeError, match="has no attribute 'attention_weights'") as err:
        det.attention_weights(X)
    assert "SequenceAnomalyDetector has no attention" in str(err.value.__cause__)
    # Unsupervised: it always watches its held-out error, no scorer applies.
    assert "scoring" not in det.get_params()


def test_score_steps_finds_the_unusual_step_and_averages_to_score_samples():
    rng = np.random.RandomState(0)
    t = np.arange(40)
    X = np.sin(2 * np.pi * (t[None, :] + rng.randint(0, 40, size=(120, 1))) / 10)[..., None]
    X = X + 0.01 * rng.standard_normal(X.shape)
    detector = SequenceAnomalyDetector(hidden_size=16, max_iter=40, learning_rate_init=1e-2,
                                       anomaly_score="error", dtype="float64",
                                       random_state=0).fit(X)
    spiked = X[:5].copy()
    spiked[np.arange(5), [10, 20, 25, 30, 35], 0] += 3.0
    steps = detector.score_steps(spiked)
    assert steps.shape == (5, 40)
    np.testing.assert_array_equal(np.argmin(steps, axis=1), [10, 20, 25, 30, 35])
    np.testing.assert_allclose(steps.mean(axis=1), detector.score_samples(spiked), rtol=1e-10)
    ragged = [spiked[0, :30], spiked[1]]
    per_step = detector.score_steps(ragged)
    assert [len(s) for s in per_step] == [30, 40]
    np.testing.assert_allclose(per_step[0], steps[0, :30], rtol=1e-10)


def _waves(period, n, rng, length=40, amplitude=1.0):
    t = np.arange(length)
    X = amplitude * np.sin(2 * np.pi * (t[None, :] + rng.randint(0, period, size=(n, 1)))
                           / period)
    return (X + 0.2 * rng.standard_normal(X.shape))[..., None]


def test_the_state_score_is_the_mahalanobis_distance_of_the_state_summaries():
    rng = np.random.RandomState(0)
    X, normal, other = _waves(10, 120, rng), _waves(10, 40, rng), _waves(16, 40, rng)
    det = SequenceAnomalyDetector(hidden_size=16, max_iter=40, learning_rate_init=1e-2,
                                  dtype="float64", random_state=0).fit(X)
    network = det.net_.module_.eval()
    with torch.no_grad():
        outputs, _ = network.encoder((torch.as_tensor(X) - network.input_mean)
                                     / network.input_scale)
    summaries = torch.cat([outputs.mean(dim=1), outputs.amax(dim=1)], dim=1).numpy()
    reference = LedoitWolf().fit(summaries)  # unit weights: scikit-learn's estimate
    np.testing.assert_allclose(det.location_, reference.location_, rtol=1e-10)
    np.testing.assert_allclose(det.precision_, reference.precision_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(det.score_samples(X), -reference.mahalanobis(summaries),
                               rtol=1e-6)
    # Waves of another period are sequences of another shape: far from the normal ones.
    test, is_anomaly = np.concatenate([normal, other]), np.r_[np.zeros(40), np.ones(40)]
    assert roc_auc_score(is_anomaly, -det.score_samples(test)) > 0.95
    assert (det.predict(other) == -1).mean() > 0.9
    assert (det.predict(normal) == 1).mean() > 0.8


def test_integer_weights_of_the_state_score_are_repeated_sequences():
    rng = np.random.RandomState(2)
    values = rng.randn(15, 6) @ rng.randn(6, 6)
    weights = rng.randint(1, 4, size=15).astype(float)
    def estimate(values, weights):  # location, covariance, shrinkage, precision
        location, covariance, shrinkage = _shrunk_gaussian(values, weights)
        return location, covariance, shrinkage, _shrunk_inverse(covariance, shrinkage)

    weighted = estimate(values, weights)
    repeated = estimate(np.repeat(values, weights.astype(int), axis=0),
                        np.ones(int(weights.sum())))
    for a, b in zip(weighted, repeated):
        np.testing.assert_allclose(a, b, rtol=1e-10)
    # and the distances left out, one unit of weight (one repeated row) at a time
    counts = weights.astype(int)
    left_weighted = _left_out_distances(values, weights, *weighted)
    left_repeated = _left_out_distances(np.repeat(values, counts, axis=0),
                                        np.ones(counts.sum()), *repeated)
    np.testing.assert_allclose(np.repeat(left_weighted, counts), left_repeated, rtol=1e-10)


def test_the_state_score_of_a_ragged_batch_is_each_sequence_alone():
    rng = np.random.RandomState(1)
    X = [x[:n] for x, n in zip(_waves(10, 30, rng), rng.randint(20, 41, size=30))]
    det = SequenceAnomalyDetector(hidden_size=8, max_iter=5, dtype="float64",
                                  random_state=0).fit(X)
    alone = np.concatenate([det.score_samples([x]) for x in X[:6]])
    np.testing.assert_allclose(det.score_samples(X[:6]), alone, rtol=1e-10)


def test_a_file_saved_before_anomaly_score_existed_scores_by_the_error(tmp_path):
    # A detector's file from before the parameter: its params and fitted attributes
    # lack anomaly_score, location_ and precision_ (rewritten here from a new file).
    import json

    from safetensors import safe_open
    from safetensors.torch import save_file

    import sklearn_seq

    rng = np.random.RandomState(0)
    X = _waves(10, 30, rng)
    det = SequenceAnomalyDetector(hidden_size=8, max_iter=3, anomaly_score="error",
                                  random_state=0).fit(X)
    det.save(tmp_path / "new.skseq")
    with safe_open(tmp_path / "new.skseq", framework="pt") as f:
        metadata = f.metadata()
        tensors = {key: f.get_tensor(key) for key in f.keys()}
    document = json.loads(metadata["sklearn_seq"])
    del document["params"]["anomaly_score"]
    for key in ("location_", "precision_"):
        document["fitted"].pop(key, None)
    save_file(tensors, tmp_path / "old.skseq",
              metadata={**metadata, "sklearn_seq": json.dumps(document)})
    loaded = sklearn_seq.load(tmp_path / "old.skseq")
    assert loaded.anomaly_score == "error"
    np.testing.assert_array_equal(loaded.score_samples(X), det.score_samples(X))
