"""Recurrent classifiers and regressors: RNN, LSTM and GRU cells."""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted


from ._tasks import (
    SCORING_CONSTRAINTS,
    PooledNetworkMixin,
    RecurrentClassifierMixin,
    RecurrentRegressorMixin,
)
from .base import BaseRecurrent
from .utils._docstrings import fill_doc

__all__ = [
    "LSTMClassifier",
    "GRUClassifier",
    "RNNClassifier",
    "LSTMRegressor",
    "GRURegressor",
    "RNNRegressor",
]


_CONV_CONSTRAINTS = {
    "conv_channels": ["array-like", StrOptions({"auto"}), None],
    "kernel_size": [Interval(Integral, 1, None, closed="left"), "array-like"],
    "conv_stride": [Interval(Integral, 1, None, closed="left")],
    "conv_norm": [StrOptions({"batch", "layer", "mixed", "auto"}), None],
    "conv_branch": ["boolean"],
    "learning_rate": [StrOptions({"constant", "cosine"})],
}


def _check_positive_ints(name, values):
    values = [values] if isinstance(values, Integral) else list(values)
    if not all(isinstance(v, Integral) and not isinstance(v, bool) and v >= 1 for v in values):
        raise ValueError(
            f"{name} must hold positive integers, got {values!r}; for example "
            f"{name}=(64, 64, 64)."
        )
    return [int(v) for v in values]  # Python ints: torch's layers take no numpy ints


# conv_channels="auto": the front end reads series whose median training length is
# at least AUTO_CONV_MIN_LENGTH steps (shorter ones, such as event logs and
# forecasting windows, go to the recurrent layers directly).
AUTO_CONV_CHANNELS = (32, 32, 32)
AUTO_CONV_MIN_LENGTH = 64
# For the classifiers, twice as wide on small training sets (at most
# AUTO_WIDE_MAX_STEPS time steps): there max_iter="auto" stops at its 200 epochs
# long before its budget, and 64 channels (about twice the time of 32) scored
# higher on the small development sets than 32 or FCN's widths (which overfit
# ArrowHead and PickupGestureWiimoteZ).
AUTO_WIDE_CONV_CHANNELS = (64, 64, 64)
AUTO_WIDE_MAX_STEPS = 37_500
# Beyond them, FCN's widths (64, 128, 64) on up to AUTO_FCN_MAX_STEPS time steps:
# the most on which max_iter="auto" gives them (on one feature) the 150 epochs they
# need (OSULeaf: 0.934 after 100, 0.959 after 150); 32 channels on larger sets.
AUTO_FCN_CONV_CHANNELS = (64, 128, 64)
AUTO_FCN_MAX_STEPS = 86_000
# conv_norm="auto": batch normalisation from this many training sequences (batches of
# at least 10 under batch_size="auto"), the per-sequence one below (or, in an
# ensemble, members that alternate the two: "mixed").
AUTO_BATCH_NORM_MIN_SAMPLES = 100
# n_estimators="auto" of the classifiers: an ensemble of this many networks where
# conv_channels="auto" takes the wide front end (small training sets of long
# series, where 200 epochs cost a small part of max_iter="auto"'s budget). On
# ArrowHead one network's test accuracy ranged from 0.594 to 0.789 over 15 seeds.
# Below AUTO_BATCH_NORM_MIN_SAMPLES sequences they are "mixed": two with
# per-sequence normalisation, two batch-normalised with kernels 2 k + 1 wide
# (single batch-normalised networks, 10 seeds: ArrowHead 0.787 -> 0.851, Coffee
# 0.964 -> 0.986 with the wider kernels); four scored 0.829 / 1.000 / 0.767 on
# ArrowHead / Coffee / PickupGestureWiimoteZ, five (three per-sequence) 0.819 /
# 1.000 / 0.793, at a quarter more time (benchmarks/README.md, session 23).
AUTO_N_ESTIMATORS = 4


def _wider(kernel_size):
    """The kernel widths of the batch-normalised members of a ``"mixed"``
    ensemble: ``2 k + 1`` steps for each width ``k`` of ``kernel_size``."""
    if isinstance(kernel_size, Integral):
        return 2 * kernel_size + 1
    return tuple(2 * k + 1 for k in kernel_size)


class _ConvFrontEndMixin(PooledNetworkMixin):
    """The convolutional front end of the recurrent classifiers and regressors, and
    what ``conv_channels="auto"`` and ``pooling="auto"`` choose."""

    _parameter_constraints = {
        **PooledNetworkMixin._parameter_constraints,
        **_CONV_CONSTRAINTS,
        **SCORING_CONSTRAINTS,
        "pooling": [StrOptions({"last", "mean", "max", "attention", "auto"})],
    }

    # Their stopping rule also waits for 10 * n_iter_no_change optimizer steps
    # without improvement (see _engine.callbacks.StoppingCriterion).
    _counts_steps = True
    # conv_channels="auto" is wider on small training sets (the classifiers).
    _wide_on_small_data = False

    def _resolve_architecture(self, seqs):
        """The front end's channels (a tuple, empty for none), its normalisation,
        the pooling and the number of networks, with what "auto" stands for."""
        channels = self.conv_channels
        wide = False
        if isinstance(channels, str):  # "auto"
            median = np.median(seqs.lengths) if seqs.is_ragged else seqs.max_length
            channels = AUTO_CONV_CHANNELS if median >= AUTO_CONV_MIN_LENGTH else ()
            if channels and self._wide_on_small_data:
                steps = seqs.n_steps()
                if steps <= AUTO_WIDE_MAX_STEPS:
                    channels, wide = AUTO_WIDE_CONV_CHANNELS, True
                elif steps <= AUTO_FCN_MAX_STEPS:
                    channels = AUTO_FCN_CONV_CHANNELS
        n_networks = self._resolve_n_estimators(wide)
        channels = tuple(_check_positive_ints("conv_channels", () if channels is None
                                              else channels))
        pooling = self.pooling
        if pooling == "auto":
            # with the front end, the maximum over time (what a convolutional
            # classifier's global pooling does); without it, the last state
            pooling = "max" if channels else "last"
        norm = self.conv_norm
        if norm == "auto":
            if seqs.n_samples >= AUTO_BATCH_NORM_MIN_SAMPLES:
                norm = "batch"
            else:
                norm = "mixed" if (n_networks or 1) > 1 else "layer"
        return channels, norm, pooling, n_networks

    def _resolve_n_estimators(self, wide):
        """The number of networks (``wide``: ``conv_channels="auto"`` chose the
        front end of small training sets); None where the estimator has no
        ``n_estimators`` (one network, built without the argument)."""
        return None

    @property
    def conv_channels_(self):
        """The convolutions' output channels of the fitted network (``()``: none);
        what ``conv_channels="auto"`` chose."""
        check_is_fitted(self)
        return tuple(self.net_.get_params_for("module").get("conv_channels") or ())

    @property
    def conv_norm_(self):
        """The normalisation after the fitted network's convolutions; what
        ``conv_norm="auto"`` chose."""
        check_is_fitted(self)
        return self.net_.get_params_for("module").get("conv_norm")

    @property
    def pooling_(self):
        """The pooling of the fitted network; what ``pooling="auto"`` chose."""
        check_is_fitted(self)
        return self.net_.get_params_for("module")["pooling"]

    def _check_same_network(self, params=None):
        # "auto" stands for what the first fit chose
        params = dict(self.get_params(deep=False) if params is None else params)
        built = self.net_.get_params_for("module")
        for key in ("conv_channels", "pooling", "conv_norm", "n_estimators"):
            if key not in params:
                continue
            if isinstance(params[key], str) and params[key] == "auto":
                params[key] = built.get(key)
        super()._check_same_network(params)

    def _module_kwargs(self, seqs, sample_weight):
        channels, norm, pooling, n_networks = self._resolve_architecture(seqs)
        kernels = _check_positive_ints("kernel_size", self.kernel_size)
        if channels and not isinstance(self.kernel_size, Integral) and len(kernels) != len(
            channels
        ):
            raise ValueError(
                f"kernel_size has {len(kernels)} values for {len(channels)} convolutions "
                f"(conv_channels={self.conv_channels!r}); give one value for all, or one "
                "per convolution."
            )
        kernel_size = int(self.kernel_size) if isinstance(self.kernel_size, Integral) else tuple(
            kernels)
        return {
            **super()._module_kwargs(seqs, sample_weight),
            "pooling": pooling,
            "conv_channels": channels or None,
            "kernel_size": kernel_size,
            "conv_stride": self.conv_stride,
            "conv_norm": norm,
            "conv_branch": self.conv_branch,
            # the classifiers' ensembles (the regressors' networks do not have one)
            **({} if n_networks is None else {"n_estimators": n_networks}),
            # "mixed": the batch-normalised members' kernels about twice as wide
            **({"batch_kernel_size": _wider(kernel_size)} if norm == "mixed" else {}),
        }


class _RecurrentClassifier(_ConvFrontEndMixin, RecurrentClassifierMixin, BaseRecurrent):
    _parameter_constraints = {
        **BaseRecurrent._parameter_constraints,
        **_ConvFrontEndMixin._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "n_estimators": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    }
    _fitted_attributes = {
        **BaseRecurrent._fitted_attributes,
        **RecurrentClassifierMixin._fitted_attributes,
    }
    # files saved before these parameters existed: one network, a front end without
    # normalisation or branch, trained at a constant rate
    _params_before_they_existed = {"learning_rate": "constant", "conv_norm": None,
                                   "conv_branch": False, "n_estimators": 1}
    # Tuned on the UCR development sets (see the README): on small training sets,
    # smaller batches (more optimizer steps) and a wider front end.
    _small_batches = True
    _wide_on_small_data = True

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        dropout=0.0,
        bidirectional=False,
        pooling="auto",
        conv_channels="auto",
        kernel_size=(7, 5, 3),
        conv_stride=4,
        conv_norm="auto",
        conv_branch=True,
        max_iter="auto",
        batch_size="auto",
        learning_rate="cosine",
        learning_rate_init=1e-3,
        alpha=1e-4,
        shuffle=True,
        early_stopping=False,
        scoring="loss",
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        max_grad_norm=1.0,
        class_weight=None,
        n_estimators="auto",
        dtype="float32",
        device="cpu",
        random_state=None,
        verbose=0,
        warm_start=False,
        checkpoint_dir=None,
        checkpoint_every=10,
    ):
        super().__init__(
            hidden_size=hidden_size,
            num_layers=num_layers,
            dropout=dropout,
            max_iter=max_iter,
            batch_size=batch_size,
            learning_rate_init=learning_rate_init,
            alpha=alpha,
            shuffle=shuffle,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            max_grad_norm=max_grad_norm,
            dtype=dtype,
            device=device,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            checkpoint_dir=checkpoint_dir,
            checkpoint_every=checkpoint_every,
        )
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.scoring = scoring
        self.conv_channels = conv_channels
        self.kernel_size = kernel_size
        self.conv_stride = conv_stride
        self.conv_norm = conv_norm
        self.conv_branch = conv_branch
        self.learning_rate = learning_rate
        self.class_weight = class_weight
        self.n_estimators = n_estimators

    def _resolve_n_estimators(self, wide):
        if self.n_estimators == "auto":
            return AUTO_N_ESTIMATORS if wide else 1
        return int(self.n_estimators)

    @property
    def n_estimators_(self):
        """The number of networks of the fitted model (averaged); what
        ``n_estimators="auto"`` chose."""
        check_is_fitted(self)
        return int(self.net_.get_params_for("module").get("n_estimators", 1))


class _RecurrentRegressor(_ConvFrontEndMixin, RecurrentRegressorMixin, BaseRecurrent):
    _parameter_constraints = {
        **BaseRecurrent._parameter_constraints,
        **_ConvFrontEndMixin._parameter_constraints,
    }
    _fitted_attributes = {
        **BaseRecurrent._fitted_attributes,
        **RecurrentRegressorMixin._fitted_attributes,
    }

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        dropout=0.0,
        bidirectional=False,
        pooling="last",
        conv_channels="auto",
        kernel_size=(7, 5, 3),
        conv_stride=4,
        conv_norm=None,
        conv_branch=False,
        max_iter="auto",
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=1e-3,
        alpha=1e-4,
        shuffle=True,
        early_stopping=False,
        scoring="loss",
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        max_grad_norm=1.0,
        dtype="float32",
        device="cpu",
        random_state=None,
        verbose=0,
        warm_start=False,
        checkpoint_dir=None,
        checkpoint_every=10,
    ):
        super().__init__(
            hidden_size=hidden_size,
            num_layers=num_layers,
            dropout=dropout,
            max_iter=max_iter,
            batch_size=batch_size,
            learning_rate_init=learning_rate_init,
            alpha=alpha,
            shuffle=shuffle,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            max_grad_norm=max_grad_norm,
            dtype=dtype,
            device=device,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            checkpoint_dir=checkpoint_dir,
            checkpoint_every=checkpoint_every,
        )
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.scoring = scoring
        self.conv_channels = conv_channels
        self.kernel_size = kernel_size
        self.conv_stride = conv_stride
        self.conv_norm = conv_norm
        self.conv_branch = conv_branch
        self.learning_rate = learning_rate


@fill_doc(cell="LSTM")
class LSTMClassifier(_RecurrentClassifier):
    """LSTM classifier for sequences, trained with skorch.

    %(recurrent_classifier_sections)s

    See Also
    --------
    RNNClassifier : The same estimator with the RNN cell.
    GRUClassifier : The same estimator with the GRU cell.

    %(recurrent_classifier_notes)s
    """

    cell = "lstm"


@fill_doc(cell="GRU")
class GRUClassifier(_RecurrentClassifier):
    """GRU classifier for sequences, trained with skorch.

    %(recurrent_classifier_sections)s

    See Also
    --------
    RNNClassifier : The same estimator with the RNN cell.
    LSTMClassifier : The same estimator with the LSTM cell.

    %(recurrent_classifier_notes)s
    """

    cell = "gru"


@fill_doc(cell="RNN")
class RNNClassifier(_RecurrentClassifier):
    """RNN classifier for sequences, trained with skorch.

    %(recurrent_classifier_sections)s

    See Also
    --------
    LSTMClassifier : The same estimator with the LSTM cell.
    GRUClassifier : The same estimator with the GRU cell.

    %(recurrent_classifier_notes)s
    """

    cell = "rnn"


@fill_doc(cell="LSTM")
class LSTMRegressor(_RecurrentRegressor):
    """LSTM regressor for sequences, trained with skorch.

    %(recurrent_regressor_sections)s

    See Also
    --------
    RNNRegressor : The same estimator with the RNN cell.
    GRURegressor : The same estimator with the GRU cell.

    %(recurrent_regressor_notes)s
    """

    cell = "lstm"


@fill_doc(cell="GRU")
class GRURegressor(_RecurrentRegressor):
    """GRU regressor for sequences, trained with skorch.

    %(recurrent_regressor_sections)s

    See Also
    --------
    RNNRegressor : The same estimator with the RNN cell.
    LSTMRegressor : The same estimator with the LSTM cell.

    %(recurrent_regressor_notes)s
    """

    cell = "gru"


@fill_doc(cell="RNN")
class RNNRegressor(_RecurrentRegressor):
    """RNN regressor for sequences, trained with skorch.

    %(recurrent_regressor_sections)s

    See Also
    --------
    LSTMRegressor : The same estimator with the LSTM cell.
    GRURegressor : The same estimator with the GRU cell.

    %(recurrent_regressor_notes)s
    """

    cell = "rnn"
