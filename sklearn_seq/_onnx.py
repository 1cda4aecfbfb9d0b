"""Export of fitted estimators to ONNX, for scoring with onnxruntime alone.

The graph holds the whole prediction: the estimator's input standardisation (a part
of its network), the network, and what ``predict`` and ``predict_proba`` do after it
(the softmax, the labels of ``classes_``, the target scaling mapped back, the
forecaster's quantiles sorted, the anomaly detector's threshold, the
encoder-decoders' decoding). Its inputs are a padded batch and the length of each
sequence, with the batch and the time steps as dynamic axes::

    x        (batch, time, features)   padding after each sequence's end: any value
    lengths  (batch,) int64            the number of real steps of each sequence

The graph is traced by torch's TorchScript-based exporter, which writes torch's
recurrent layers as ONNX's own LSTM, GRU and RNN operators (one operator over all
steps, any length), where the torch.export-based one still fixes some axes of these
networks to the example's. The transformer's self-attention is written out for the
export (:func:`_self_attention`): torch's attention module traced this way keeps the
example's number of steps. An encoder-decoder's decoding is a loop over output
steps, unrolled by the trace: a fixed number of steps, every sequence running all
of them (:class:`_GreedyTokens`).
"""

import copy
import io
import itertools
import os
import warnings

import numpy as np
import torch
from torch import nn
from sklearn.utils.validation import check_is_fitted
from torch.nn import functional as F

from .nn import (
    BOS_ID,
    EOS_ID,
    PAD_ID,
    ForecastNetwork,
    NextStepNetwork,
    Seq2SeqNetwork,
    SequenceNetwork,
    TaggingNetwork,
    TextNetwork,
    TransformerNetwork,
    length_mask,
)
from .nn._anomaly import squared_distance
from .nn._transformer import sinusoidal_positions
from .utils._text import MAX_SUBWORDS

__all__ = ["to_onnx"]

_EXTRA_MESSAGE = (
    "to_onnx needs the onnx package: pip install 'sklearn-seq[onnx]' (onnx and "
    "onnxruntime)."
)
DEFAULT_OPSET = 17


def _import_onnx():
    try:
        import onnx
    except ImportError as exc:
        raise ImportError(_EXTRA_MESSAGE) from exc
    return onnx


def _self_attention(attn, z, padding):
    """``attn(z, z, z, key_padding_mask=padding)[0]`` of a ``batch_first``
    ``nn.MultiheadAttention``, in operations whose shapes follow the input."""
    batch, heads = z.shape[0], attn.num_heads
    q, k, v = F.linear(z, attn.in_proj_weight, attn.in_proj_bias).chunk(3, dim=-1)
    q, k, v = (t.reshape(batch, -1, heads, attn.head_dim).transpose(1, 2) for t in (q, k, v))
    scores = torch.matmul(q, k.transpose(-1, -2)) / attn.head_dim**0.5
    scores = scores.masked_fill(padding[:, None, None, :], float("-inf"))
    out = torch.matmul(torch.softmax(scores, dim=-1), v)
    out = out.transpose(1, 2).reshape(batch, -1, heads * attn.head_dim)
    return attn.out_proj(out)


def _transformer_summary(net, x, lengths):
    """``net.encode(x, lengths)[0]`` of a :class:`TransformerNetwork` (its pre-norm
    encoder layers, see ``nn.TransformerEncoder``), with :func:`_self_attention`."""
    encoder = net.encoder
    x = (x - net.input_mean) / net.input_scale
    h = encoder.project(x) + sinusoidal_positions(
        x.shape[1], encoder.output_size, x.dtype, x.device
    )
    padding = ~length_mask(lengths, x.shape[1])
    for layer in encoder.layers.layers:
        h = h + _self_attention(layer.self_attn, layer.norm1(h), padding)
        h = h + layer._ff_block(layer.norm2(h))
    out = encoder.norm(h)
    index = (lengths - 1).view(-1, 1, 1).expand(-1, 1, out.shape[-1])
    return net.pooling(out, out.gather(1, index).squeeze(1), lengths)[0]


def _text_summary(net, x, lengths):
    """``net.encode(x, lengths)[0]`` of a :class:`TextNetwork` with subword
    buckets: their mean embedding written out, as the exporter has no
    ``EmbeddingBag`` with a padding index."""
    grams = x[..., 1:]
    real = (grams != 0).unsqueeze(-1).to(net.subword.weight.dtype)
    vectors = F.embedding(grams, net.subword.weight) * real
    subword = vectors.sum(dim=2) / real.sum(dim=2).clamp(min=1)
    outputs, last = net.encoder(net.embedding(x[..., 0]) + subword, lengths)
    return net.pooling(outputs, last, lengths)[0]


class _Scoring(nn.Module):
    """The fitted network and what the estimator's prediction does after it.

    ``kind``: ``"classifier"`` (probabilities and class indices, at every step for a
    tagger), ``"regressor"`` (values in the units of ``y``) or ``"forecaster"``
    (forecasts, and quantiles when fitted with them).
    """

    def __init__(self, network, kind, y_mean=None, y_scale=None, y_1d=False,
                 n_quantiles=1, median=0):
        super().__init__()
        self.network = network
        self.kind = kind
        self.y_1d = y_1d
        self.n_quantiles = n_quantiles
        self.median = median
        if y_mean is not None:
            self.register_buffer("y_mean", torch.as_tensor(y_mean, dtype=torch.float64))
            self.register_buffer("y_scale", torch.as_tensor(y_scale, dtype=torch.float64))

    def forward(self, x, lengths):
        if isinstance(self.network, TransformerNetwork):
            out = self.network.head(_transformer_summary(self.network, x, lengths))
        elif isinstance(self.network, TextNetwork) and self.network.subword is not None:
            out = self.network.head(_text_summary(self.network, x, lengths))
            if self.network.bag is not None:
                out = out + self.network.bag_logits(x, lengths)
        else:
            out = self.network(x, lengths)
        if isinstance(out, tuple):  # a window-scaled forecast: its first field
            out = out[0]
        # As predict and predict_proba: in float64 from the network's outputs.
        if self.kind == "classifier":
            return torch.softmax(out.double(), dim=-1), out.argmax(dim=-1)
        values = out.double()
        if self.kind == "regressor":
            values = values * self.y_scale + self.y_mean
            return values[..., 0] if self.y_1d else values
        values = values.reshape(values.shape[0], -1, self.n_quantiles)
        values = values * self.y_scale[:, None] + self.y_mean[:, None]
        # Sorted, as predict_quantiles: no crossing.
        quantiles = torch.sort(values, dim=2).values
        forecast = quantiles[:, :, self.median]
        if self.y_1d:
            forecast, quantiles = forecast[:, 0], quantiles[:, 0, :]
        return (forecast, quantiles) if self.n_quantiles > 1 else forecast


class _Outliers(nn.Module):
    """:class:`SequenceAnomalyDetector`'s ``score_samples``, ``decision_function``,
    ``predict`` and ``score_steps`` (zero past each sequence's end)."""

    def __init__(self, network, offset, location=None, precision=None):
        super().__init__()
        self.network = network
        self.register_buffer("offset", torch.tensor(offset, dtype=torch.float64))
        self.state = precision is not None
        if self.state:
            self.register_buffer("location", torch.as_tensor(location, dtype=torch.float64))
            self.register_buffer("precision", torch.as_tensor(precision, dtype=torch.float64))

    def forward(self, x, lengths):
        if self.state:
            # anomaly_score="state": the squared Mahalanobis distance of the summary,
            # in float64 from the network's summary, as the estimator's.
            steps, summary = self.network.step_errors_and_summary(x, lengths)
            score = -squared_distance(summary, self.location, self.precision)
        else:
            steps = self.network.step_errors(x, lengths)
            # As the network's forward: the mean over the real steps, in its dtype;
            # the scores in float64 from it, as the estimator's.
            score = -(steps.sum(dim=1) / lengths.to(steps.dtype)).double()
        decision = score - self.offset
        return score, decision, 1 - 2 * (decision < 0).long(), -steps.double()


class _Seq2SeqValues(nn.Module):
    """:class:`Seq2SeqRegressor`'s ``predict`` (its ``output_length_`` decoder steps,
    unrolled) and the attention of each output step over the input steps."""

    def __init__(self, network, steps, y_mean, y_scale, y_1d):
        super().__init__()
        self.network = network
        self.steps = steps
        self.y_1d = y_1d
        self.register_buffer("y_mean", torch.as_tensor(y_mean, dtype=torch.float64))
        self.register_buffer("y_scale", torch.as_tensor(y_scale, dtype=torch.float64))

    def forward(self, x, lengths):
        out, attention = self.network.generate(x, lengths, max_length=self.steps)
        values = out.double() * self.y_scale + self.y_mean
        return (values[..., 0] if self.y_1d else values), attention


class _GreedyTokens(nn.Module):
    """:class:`TextSeq2Seq`'s greedy decoding (``beam_size=1``) over
    ``max_output_length`` steps, unrolled, as ``Seq2SeqNetwork.generate`` computes
    it: padding and the start symbol are never chosen, and a sequence that wrote
    the end token goes on with padding at no cost (where ``generate`` stops once
    all have ended, which a graph of fixed steps cannot). Returns the ids, the
    number of tokens before the end token, the log-probability of the output
    (with its end token) and the attention of every step."""

    def __init__(self, network, steps):
        super().__init__()
        self.network = network
        self.steps = steps
        dtype = network.head.weight.dtype
        blocked = torch.zeros(network.n_outputs, dtype=dtype)
        blocked[[PAD_ID, BOS_ID]] = float("-inf")
        self.register_buffer("blocked", blocked)
        self.register_buffer("after_end", torch.where(
            torch.arange(network.n_outputs) == PAD_ID, 0.0, float("-inf")).to(dtype))

    def forward(self, x, lengths):
        net = self.network
        states, keys, mask, state = net.encode(x, lengths)
        inputs = torch.full_like(lengths[:, None], BOS_ID)
        ended = torch.zeros_like(lengths, dtype=torch.bool)
        score = states.new_zeros(states.shape[0])
        ids, attention = [], []
        for _ in range(self.steps):
            out, state, weights = net.decode(inputs, state, states, keys, mask)
            logp = torch.log_softmax(out[:, 0], dim=-1) + self.blocked
            logp = torch.where(ended[:, None], self.after_end, logp)
            score, chosen = (score[:, None] + logp).max(dim=1)
            ended = ended | (chosen == EOS_ID)
            inputs = chosen[:, None]
            ids.append(chosen)
            attention.append(weights)
        ids = torch.stack(ids, dim=1)
        # Alive, a sequence writes tokens (ids above the end's); after it, padding.
        length = (ids > EOS_ID).sum(dim=1)
        return ids, length, score, torch.cat(attention, dim=1)


def _check_exportable(estimator, network):
    supported = (SequenceNetwork, TransformerNetwork, TextNetwork, ForecastNetwork,
                 TaggingNetwork, NextStepNetwork, Seq2SeqNetwork)
    if not isinstance(network, supported):
        raise TypeError(
            "to_onnx exports the recurrent, transformer and text classifiers and "
            "regressors, the taggers and step regressors, AttentionForecaster, "
            "SequenceAnomalyDetector and the encoder-decoders; "
            f"{type(estimator).__name__} is not supported (scikit-learn's own "
            "estimators export with skl2onnx)."
        )
    float64 = any(p.dtype == torch.float64 for p in network.parameters())
    if float64 and any(isinstance(m, nn.RNNBase) for m in network.modules()):
        raise ValueError(
            f"{type(estimator).__name__} was fitted with dtype='float64', and "
            "onnxruntime's LSTM, GRU and RNN operators compute in float32 only; refit "
            "with dtype='float32' (the default) to export it."
        )
    if isinstance(network, Seq2SeqNetwork) and getattr(estimator, "beam_size", 1) > 1:
        raise ValueError(
            f"to_onnx exports greedy decoding only, and {type(estimator).__name__} has "
            f"beam_size={estimator.beam_size}: beam search keeps and reorders several "
            "hypotheses at every step, which the unrolled graph does not. "
            "set_params(beam_size=1) keeps the fitted network and makes predict decode "
            "greedily, as the exported graph then does."
        )


def _decoder_module(estimator, network):
    """The module of an encoder-decoder, the dynamic axes of its outputs, and the
    output to map from ids to tokens."""
    batch, source = {0: "batch"}, {0: "batch", 2: "time"}
    if network.target_embedding is None:
        module = _Seq2SeqValues(network, estimator.output_length_, estimator._y_mean,
                                estimator._y_scale, estimator._y_1d)
        return module, {"prediction": batch, "attention": source}, None
    words = np.full(network.n_outputs, "", dtype=object)
    for token, i in estimator.target_vocabulary_.items():
        words[i] = token
    outputs = {"tokens": batch, "length": batch, "log_likelihood": batch,
               "attention": source}
    return _GreedyTokens(network, estimator.max_output_length), outputs, ("tokens", words)


def _scoring_module(estimator):
    """The module to trace of a fitted estimator, its outputs (name: dynamic
    axes), and None or the output to map through a table held in the graph (its
    name and the table: the labels of ``classes_``, the output tokens)."""
    network = getattr(getattr(estimator, "net_", None), "module_", None)
    _check_exportable(estimator, network)
    network = _on_cpu(network)
    per_step = {0: "batch", 1: "time"}
    batch = per_step if isinstance(network, TaggingNetwork) else {0: "batch"}
    if isinstance(network, NextStepNetwork):
        outputs = {"score": batch, "decision": batch, "label": batch,
                   "step_scores": per_step}
        return _Outliers(network, estimator.offset_, getattr(estimator, "location_", None),
                         getattr(estimator, "precision_", None)), outputs, None
    if isinstance(network, Seq2SeqNetwork):
        return _decoder_module(estimator, network)
    if hasattr(estimator, "classes_"):
        outputs = {"probabilities": batch, "label": batch}
        return _Scoring(network, "classifier"), outputs, ("label", estimator.classes_)
    stats = dict(y_mean=estimator._y_mean, y_scale=estimator._y_scale,
                 y_1d=estimator._y_1d)
    if not isinstance(network, ForecastNetwork):
        return _Scoring(network, "regressor", **stats), {"prediction": batch}, None
    quantiles = estimator.quantiles_
    if quantiles is None:
        return _Scoring(network, "forecaster", **stats), {"prediction": batch}, None
    median = int(np.argmin(np.abs(quantiles - 0.5)))
    scoring = _Scoring(network, "forecaster", **stats, n_quantiles=len(quantiles),
                       median=median)
    return scoring, {"prediction": batch, "quantiles": batch}, None


def _on_cpu(network):
    """``network`` where it is on the CPU, else a copy of it there (a model trained
    on a GPU): the graph is traced on the CPU, the estimator's network left where
    it is."""
    tensors = itertools.chain(network.parameters(), network.buffers())
    if all(t.device.type == "cpu" for t in tensors):
        return network
    return copy.deepcopy(network).cpu()


def _example_input(estimator):
    """A batch of two sequences (lengths 6 and 5) of the network's input."""
    network = estimator.net_.module_
    if isinstance(network, TextNetwork):
        width = 1 + (MAX_SUBWORDS if network.subword is not None else 0)
        x = torch.zeros(2, 6, width, dtype=torch.int64)
    elif isinstance(network, Seq2SeqNetwork) and network.source_embedding is not None:
        x = torch.zeros(2, 6, 1, dtype=torch.int64)
    else:
        width = estimator.net_.get_params_for("module")["input_size"]
        x = torch.zeros(2, 6, width, dtype=network.input_mean.dtype)
    return x, torch.tensor([6, 5])


def _add_lookup(model, name, table, onnx):
    """Replace the graph's output ``name`` (indices) by the values of ``table`` at
    them (the labels of ``classes_``, the output tokens), held in the graph
    (strings as a string tensor)."""
    graph = model.graph
    output = next(o for o in graph.output if o.name == name)
    values = np.asarray(table)
    if values.dtype.kind in "OUS":
        values = values.astype(object)
    graph.initializer.append(onnx.numpy_helper.from_array(values, name=f"{name}_table"))
    for node in graph.node:  # the producer and any reader of the indices
        node.output[:] = [f"{name}_index" if o == name else o for o in node.output]
        node.input[:] = [f"{name}_index" if i == name else i for i in node.input]
    graph.node.append(onnx.helper.make_node(
        "Gather", [f"{name}_table", f"{name}_index"], [name], axis=0))
    dims = [d.dim_param or d.dim_value for d in output.type.tensor_type.shape.dim]
    elem = onnx.helper.np_dtype_to_tensor_dtype(values.dtype)
    output.CopyFrom(onnx.helper.make_tensor_value_info(name, elem, dims))


def _trace(scoring, outputs, example, opset):
    """The serialised ONNX graph of ``scoring`` traced on ``example``; ``outputs``:
    their names and dynamic axes."""
    dynamic = {"x": {0: "batch", 1: "time"}, "lengths": {0: "batch"}, **outputs}
    buffer = io.BytesIO()
    network = scoring.network
    training = network.training
    network.eval()
    try:
        with warnings.catch_warnings():
            # The TorchScript-based exporter is deprecated in favour of the
            # torch.export-based one (see the module's docstring), and torch's
            # recurrent layers warn while traced about shape checks that the ONNX
            # operators do not keep; the tests check other batch sizes and lengths.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                scoring, example, buffer, input_names=["x", "lengths"],
                output_names=list(outputs), dynamic_axes=dynamic, opset_version=opset,
                dynamo=False,
            )
    finally:
        network.train(training)
    return buffer.getvalue()


def to_onnx(estimator, path=None, *, opset=DEFAULT_OPSET):
    """Export a fitted estimator to ONNX, prediction included.

    The graph applies the estimator's input standardisation, its network, and
    what its ``predict`` and ``predict_proba`` do with the network's outputs, so
    that a scoring service needs only onnxruntime (``pip install onnxruntime``).

    Inputs, with the batch and the time steps as dynamic axes:

    - ``x`` of shape (batch, time, features): the sequences, padded at the end
      to the longest (any padding value); float32, or float64 for an estimator
      fitted with ``dtype="float64"`` (transformers only: onnxruntime's
      recurrent operators compute in float32). A 2D ``X`` (one feature per step) is
      ``X[:, :, None]``. For :class:`BiRNNTextClassifier` fitted on text, int64
      token ids: ``vocabulary_.get(token, 0)`` for the tokens of
      ``build_analyzer()`` (tokenisation stays in Python; with
      ``subword_ngram_range`` the steps also carry the n-grams' buckets, which
      only the package computes).
    - ``lengths`` of shape (batch,), int64: the real steps of each sequence.

    Outputs, as the estimator's methods return them:

    - classifiers: ``probabilities`` (batch, n_classes) float64, as
      ``predict_proba``, and ``label`` (batch,), as ``predict``, from
      ``classes_`` (held in the graph; strings as an ONNX string tensor);
    - regressors: ``prediction``, float64, in the units of ``y``, as ``predict``;
    - :class:`AttentionForecaster`: ``prediction`` (the median with quantiles)
      and, when fitted with ``quantiles``, ``quantiles``, as
      ``predict_quantiles``;
    - taggers and step regressors: the same per step, ``(batch, time, ...)``;
      the steps past each sequence's length hold values to ignore;
    - :class:`SequenceAnomalyDetector`: ``score``, ``decision`` and ``label``
      (batch,), as ``score_samples``, ``decision_function`` and ``predict``, and
      ``step_scores`` (batch, time), as ``score_steps`` (0 past each length);
    - :class:`~sklearn_seq.seq2seq.Seq2SeqRegressor`: ``prediction`` (batch,
      `output_length_`[, `n_outputs_`]), as ``predict``, and ``attention`` (batch,
      `output_length_`, time), as ``attention_weights``;
    - :class:`~sklearn_seq.seq2seq.TextSeq2Seq`, greedy decoding only
      (``beam_size=1``; beam search is refused): ``tokens`` (batch,
      max_output_length), strings, ``""`` from the end token on; ``length``, the
      tokens before the end token; ``log_likelihood`` of the output; and
      ``attention`` (batch, max_output_length, time). Its ``x`` holds source token
      ids as for the text classifier; its ``max_output_length`` decoder steps are
      unrolled in the graph, and all run.

    Parameters
    ----------
    estimator : estimator
        A fitted recurrent, transformer, text or tagging estimator, an
        :class:`AttentionForecaster`, a :class:`SequenceAnomalyDetector` or an
        encoder-decoder.
    path : str or path-like, default=None
        Where to write the model; None: only return it.
    opset : int, default=17
        The ONNX opset version.

    Returns
    -------
    model : onnx.ModelProto
        The ONNX model (``model.SerializeToString()`` for an in-memory
        ``onnxruntime.InferenceSession``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq import LSTMClassifier, to_onnx
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(20, 8, 2).astype(np.float32)
    >>> y = np.where(X[:, :, 0].sum(axis=1) > 0, "up", "down")
    >>> clf = LSTMClassifier(hidden_size=8, max_iter=5, random_state=0).fit(X, y)
    >>> model = to_onnx(clf)
    >>> [i.name for i in model.graph.input], [o.name for o in model.graph.output]
    (['x', 'lengths'], ['probabilities', 'label'])
    """
    check_is_fitted(estimator)
    onnx = _import_onnx()
    scoring, outputs, lookup = _scoring_module(estimator)
    model = onnx.load_from_string(_trace(scoring, outputs, _example_input(estimator), opset))
    if lookup is not None:
        _add_lookup(model, *lookup, onnx)
    model.doc_string = f"{type(estimator).__name__} exported by sklearn_seq.to_onnx"
    if path is not None:
        onnx.save(model, os.fspath(path))
    return model
