"""What the encoder-decoders share: output sequences of their own lengths, the
network's arguments, teacher forcing and generation."""

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from .._engine import net as engine
from .._training import _attended_length
from ..base import BaseRecurrent
from ..nn._cost import forward_macs_per_step

# The encoder-decoders' docstring paragraphs (``fill_doc`` values) on the network and
# the training (``%(as_in)s``: the estimator whose training parameters they share).
SEQ2SEQ_PARAGRAPHS = {
    "seq2seq_network_params": """\
cell : {"lstm", "gru"}, default="lstm"
    The recurrent cell of the encoder and the decoder.
hidden_size : int, default=64
    Hidden units of the decoder and of each direction of the encoder.
num_layers : int, default=1
    Stacked layers of the encoder and of the decoder.""",
    "seq2seq_training_params": """\
batch_size, learning_rate_init, alpha, shuffle, early_stopping, \
validation_fraction, n_iter_no_change, tol, max_grad_norm
    As in :class:`~sklearn_seq.%(as_in)s`; early stopping watches the
    validation loss.
dtype, device, random_state, verbose, warm_start, checkpoint_dir, checkpoint_every
    As in :class:`~sklearn_seq.%(as_in)s`.""",
}


def _check_y_items(y):
    """``y`` as a list of its items, one output sequence per sample."""
    if y is None:
        raise ValueError(
            "y is None: an encoder-decoder learns an output sequence for every "
            "sequence of X."
        )
    if isinstance(y, str):
        raise ValueError("y is a single string; pass a list of output sequences.")
    if hasattr(y, "to_numpy") and getattr(y, "ndim", 1) == 1:  # a pandas Series
        y = y.to_numpy()
    return list(y)


class _BaseSeq2Seq(BaseRecurrent):
    """An encoder-decoder with attention (``nn.Seq2SeqNetwork``) over
    :class:`~sklearn_seq.base.BaseRecurrent`'s training."""

    _parameter_constraints = {
        **BaseRecurrent._parameter_constraints,
        "bidirectional": ["boolean"],
        "cell": [StrOptions({"lstm", "gru"})],
    }
    _module = "Seq2SeqNetwork"
    _target_as_input = True

    def _init_shared(self, cell, bidirectional):
        self.cell = cell
        self.bidirectional = bidirectional

    def _scoring(self):
        return "loss"

    def _network_kwargs(self):
        return dict(cell=self.cell, bidirectional=self.bidirectional, **self._network_size())

    def _generate(self, X, **kwargs):
        """The validated sequences and the module's generation per sample."""
        check_is_fitted(self)
        seqs = self._validate_X(X, reset=False)
        return seqs, engine.per_sample(self.net_, seqs, "generate", **kwargs)

    def _epoch_macs(self, seqs, train_idx=None, target=None):
        """The encoder runs over the source steps; the decoder, its attention over
        every source step and the output layer over the output steps (those of
        ``target``, else ``output_length_`` a sample)."""
        module = self.net_.module_
        source = seqs.n_steps(train_idx)
        if target is not None:
            output = target.n_steps(train_idx)
        else:
            output = getattr(self, "output_length_", 1) * (
                seqs.n_samples if train_idx is None else len(train_idx))
        encoder = forward_macs_per_step(module.encoder, 0)
        decoder = forward_macs_per_step(module, 0) - encoder
        attention = 2 * module.encoder.output_size * _attended_length(seqs, train_idx)
        return source * encoder + output * (decoder + attention)

    @staticmethod
    def _source_lengths(seqs):
        if seqs.is_ragged:
            return seqs.lengths
        return np.full(seqs.n_samples, seqs.max_length)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the encoder-decoder to source sequences ``X`` and output sequences ``y``.

        Parameters
        ----------
        X : sequences
            The source sequences, one per sample.
        y : sequences
            The output sequence of each sample (its own length).
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)

    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over ``X`` and ``y`` (the first call fixes the vocabularies
        or the number of values per step).

        Parameters
        ----------
        X : sequences
            The source sequences.
        y : sequences
            Their output sequences.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss.

        Returns
        -------
        self : object
        """
        self._validate_params()
        return self._fit(X, y, sample_weight, incremental=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
