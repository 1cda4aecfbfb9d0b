"""onnxruntime on the exported graph against predict() and the raw torch forward.

Two fitted classifiers: an LSTMClassifier at hidden_size 64 on 50 steps x 8
features, and the default architecture (``LSTMClassifier()``) on 200 steps of one
feature, where ``conv_channels="auto"`` adds its convolutional front end. For each:
the latency of predicting one sequence (goal: onnxruntime at most half of
``predict``'s) and the throughput of ``--n-bulk`` sequences in batches of
``predict``'s inference batch size. onnxruntime runs ``sklearn_seq.to_onnx``'s
graph, standardisation, softmax and labels included, with as many threads as
torch; the raw forward is the module alone under ``torch.inference_mode`` (its
logits' argmax). Labels are checked equal before timing.

    python benchmarks/bench_onnx.py [--repeat 7] [--n-bulk 20000]
"""

import argparse
import warnings

import numpy as np
import onnxruntime as ort
import torch
from _common import interleaved, paired_ratio, table
from sklearn.exceptions import ConvergenceWarning

from sklearn_seq import LSTMClassifier, to_onnx
from sklearn_seq._engine.net import inference_batch_size

CASES = {
    "LSTM h=64, 50 x 8": (dict(hidden_size=64), 50, 8),
    "default (conv front end), 200 x 1": ({}, 200, 1),
}


def fitted(params, n_timesteps, n_features):
    rng = np.random.RandomState(0)
    X = rng.randn(256, n_timesteps, n_features).astype(np.float32)
    y = np.where(X[:, -1, 0] > 0, "up", "down")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return LSTMClassifier(**params, max_iter=2, random_state=0).fit(X, y)


def session(est):
    options = ort.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    options.inter_op_num_threads = 1
    return ort.InferenceSession(to_onnx(est).SerializeToString(), options,
                                providers=["CPUExecutionProvider"])


def in_batches(fn, X, batch_size):
    return np.concatenate([fn(X[i : i + batch_size]) for i in range(0, len(X), batch_size)])


def measure(est, n_timesteps, n_features, n_bulk, repeat):
    """Rows of (case, raw, predict, onnxruntime, onnxruntime / predict, onnxruntime / raw)."""
    module, graph = est.net_.module_.eval(), session(est)

    def raw(x):
        with torch.inference_mode():
            return module(torch.from_numpy(x)).argmax(dim=1).numpy()

    def onnx(x):
        lengths = np.full(len(x), x.shape[1], dtype=np.int64)
        return graph.run(["label"], {"x": x, "lengths": lengths})[0]

    rng = np.random.RandomState(1)
    bulk = rng.randn(n_bulk, n_timesteps, n_features).astype(np.float32)
    batch = inference_batch_size(est.net_)
    labels = est.predict(bulk[:1000])
    assert np.array_equal(in_batches(onnx, bulk[:1000], batch), labels)
    assert np.array_equal(est.classes_[in_batches(raw, bulk[:1000], batch)], labels)

    one, inner, samples, rows = bulk[:1], 200, {}, []
    t = interleaved({
        "raw": lambda: [raw(one) for _ in range(inner)],
        "predict": lambda: [est.predict(one) for _ in range(inner)],
        "onnx": lambda: [onnx(one) for _ in range(inner)],
    }, repeat=repeat, samples=samples)
    rows.append(["1 sequence (latency, us)",
                 *(f"{t[k] / inner * 1e6:.0f}" for k in ("raw", "predict", "onnx")),
                 f"{paired_ratio(samples, 'onnx', 'predict'):.3f}",
                 f"{paired_ratio(samples, 'onnx', 'raw'):.3f}"])
    t = interleaved({
        "raw": lambda: in_batches(raw, bulk, batch),
        "predict": lambda: est.predict(bulk),
        "onnx": lambda: in_batches(onnx, bulk, batch),
    }, repeat=repeat, samples=samples)
    rows.append([f"{n_bulk} sequences (throughput, seq/s)",
                 *(f"{n_bulk / t[k]:.0f}" for k in ("raw", "predict", "onnx")),
                 f"{paired_ratio(samples, 'onnx', 'predict'):.3f}",
                 f"{paired_ratio(samples, 'onnx', 'raw'):.3f}"])
    return rows, batch


def main(n_bulk=20_000, repeat=7):
    rows = []
    for name, (params, n_timesteps, n_features) in CASES.items():
        est = fitted(params, n_timesteps, n_features)
        case_rows, batch = measure(est, n_timesteps, n_features, n_bulk, repeat)
        rows += [[name, *r] for r in case_rows]
    print(f"onnxruntime {ort.__version__} vs predict vs the raw torch forward; "
          f"{torch.get_num_threads()} threads, batch {batch}, {repeat} rounds; times: "
          "medians; time ratios: medians over rounds of the ratio within a round")
    table(rows, ["model", "case", "raw forward", "predict", "onnxruntime",
                 "onnxruntime / predict", "onnxruntime / raw"])
    return rows


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--n-bulk", type=int, default=20_000)
    a = p.parse_args()
    main(n_bulk=a.n_bulk, repeat=a.repeat)
