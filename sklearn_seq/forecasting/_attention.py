"""Forecasting with attention over a recurrent encoding of each window."""

import functools

import numpy as np
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .. import nn as seq_nn
from .._tasks import SCORING_CONSTRAINTS, RecurrentRegressorMixin
from ..base import BaseRecurrent
from ..utils._docstrings import fill_doc

__all__ = ["AttentionForecaster"]


def _has_attention(forecaster):
    """``available_if`` check of ``attention_weights``."""
    if forecaster.attention is None:
        raise AttributeError(
            "attention_weights is not available with attention=None; set "
            "attention='dot' or 'additive' and refit to read attention weights."
        )
    return True


@fill_doc
class AttentionForecaster(RecurrentRegressorMixin, BaseRecurrent):
    """Forecaster with attention over the recurrent encoding of a window.

    Encodes a window of time steps (``(window, n_features)``, covariates being
    extra features per step) with an LSTM or GRU, lets the last state attend over
    the states of all steps, and predicts every column of ``y`` at once from the
    attended context and the last state (the last state alone with
    ``attention=None``) with a one-hidden-layer MLP head: a 2D
    ``y`` of shape ``(n_samples, horizon)`` gives a direct multi-step forecast.
    Targets are standardised per column (or per window, see ``scaling``) for
    training and predictions returned in the units of ``y``.

    Read more in the :ref:`User Guide <forecasting>` (``docs/user_guide.md``).

    Parameters
    ----------
    cell : {"lstm", "gru"}, default="lstm"
        Recurrent cell of the encoder (as in ``torch.nn.LSTM`` / ``torch.nn.GRU``).

    attention : {"dot", "additive"} or None, default="dot"
        How the last state of a window (the query) scores the state of every step:
        scaled dot-product or additive (Bahdanau) attention. A training step with
        dot-product attention takes about 10% less time on CPU
        (``benchmarks/bench_attention.py``), and its forecasts were as good or better
        on the series we compared (three ``make_demand`` series, the airline passengers).
        None leaves attention out: the head reads the last state alone and
        :meth:`attention_weights` is not available. A training step then takes
        about 16% less time than with dot-product attention, but with
        ``scaling="window"`` its forecasts were 3-14% less accurate on all four
        series we compared (with global scaling, more accurate on the one series
        compared; ``bench_attention.py --accuracy``).

    quantiles : array-like of float or None, default=None
        Forecast these quantile levels (increasing, in (0, 1), including 0.5) with
        the pinball loss: ``predict`` returns the median and
        :meth:`predict_quantiles` all levels. None fits the mean with squared error.

    scaling : {"global", "window"}, default="global"
        How inputs and forecasts are scaled. ``"global"`` standardises each
        feature and each column of ``y`` with statistics of the whole training
        set. ``"window"`` (reversible instance normalisation, as RevIN and
        neuralforecast's ``scaler_type="standard"``) further standardises each
        feature of each window by that window's own mean and standard deviation
        (over its real steps), forecasts in units of the window's first feature
        and maps the forecasts back (``mean + std * forecast``); the loss is
        measured in those units, so every window weighs alike. The first feature
        must be the series that ``y`` continues, in the same units: where
        :func:`~sklearn_seq.preprocessing.make_windows` puts the target, or the
        first column of the table given to
        :class:`~sklearn_seq.preprocessing.SequenceWindower`.
        Forecasts then follow shifts in the level and scale of the series, such
        as a trend, that global scaling extrapolates poorly.

    hidden_size : int, default=64
        Hidden units per direction of each recurrent layer.

    num_layers : int, default=1
        Number of stacked recurrent layers.

    dropout : float, default=0.0
        Dropout between stacked layers and before the head.

    bidirectional : bool, default=False
        Also read each window backwards.

    %(forecaster_training_params)s

    %(runtime_params)s

    Attributes
    ----------
    n_outputs_ : int
        Number of targets (forecast steps times target series).

    quantiles_ : ndarray of shape (n_quantiles,) or None
        The validated quantile levels.

    %(common_attributes)s

    See Also
    --------
    sklearn_seq.preprocessing.make_windows : Supervised windows from a series.
    sklearn_seq.preprocessing.SequenceWindower : Windows of a table of steps in a Pipeline.
    LSTMRegressor : A recurrent regressor without attention.

    Notes
    -----
    By default ``early_stopping`` watches the validation loss: the squared error,
    or the quantile loss with ``quantiles`` (``validation_scores_`` holds its
    negative). A scorer (``scoring``) scores the forecasts of ``predict``, the
    median with ``quantiles``. Ragged windows
    (``SequenceWindower(padding="ragged")``) are read exactly: steps past a window's end
    take no part and get attention weight 0.

    With ``scaling="window"``, a feature that is constant within a window is
    only centred, and a window whose series is constant is scaled by the
    standard deviation of the whole training set instead of its own.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq.forecasting import AttentionForecaster
    >>> from sklearn_seq.preprocessing import make_windows
    >>> t = np.arange(400, dtype=np.float32)
    >>> series = np.sin(2 * np.pi * t / 12)
    >>> X, y = make_windows(series, window=24, horizon=3)
    >>> model = AttentionForecaster(hidden_size=8, max_iter=5, quantiles=(0.1, 0.5, 0.9),
    ...                             random_state=0).fit(X, y)
    >>> model.predict(X[-2:]).shape, model.predict_quantiles(X[-2:]).shape
    ((2, 3), (2, 3, 3))
    >>> weights = model.attention_weights(X[-2:])
    >>> weights.shape, bool(np.allclose(weights.sum(axis=1), 1))
    ((2, 24), True)
    """

    # max_iter="auto" (PanelForecaster's default network): at most 100 epochs, as
    # many as cost at most 1.5 times the budget (TrainingMixin._auto_most_epochs)
    _auto_most_epochs = 100
    _parameter_constraints = {
        **BaseRecurrent._parameter_constraints,
        **SCORING_CONSTRAINTS,
        "bidirectional": ["boolean"],
        "cell": [StrOptions({"lstm", "gru"})],
        "attention": [StrOptions({"additive", "dot"}), None],
        "quantiles": ["array-like", None],
        "scaling": [StrOptions({"global", "window"})],
    }
    _fitted_attributes = {
        **BaseRecurrent._fitted_attributes,
        **RecurrentRegressorMixin._fitted_attributes,
        "quantiles_": "array_or_none",
    }

    _module = "ForecastNetwork"

    def __init__(
        self,
        *,
        cell="lstm",
        attention="dot",
        quantiles=None,
        scaling="global",
        hidden_size=64,
        num_layers=1,
        dropout=0.0,
        bidirectional=False,
        max_iter=200,
        batch_size="auto",
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
        self.cell = cell
        self.attention = attention
        self.quantiles = quantiles
        self.scaling = scaling
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.bidirectional = bidirectional
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.alpha = alpha
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.scoring = scoring
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.max_grad_norm = max_grad_norm
        self.dtype = dtype
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.checkpoint_dir = checkpoint_dir
        self.checkpoint_every = checkpoint_every

    # -- training ------------------------------------------------------------------

    def _check_quantiles(self):
        if self.quantiles is None:
            return None
        q = np.asarray(self.quantiles, dtype=np.float64).ravel()
        if (
            q.size == 0
            or not np.all((q > 0) & (q < 1))
            or np.any(np.diff(q) <= 0)
            or not np.any(np.isclose(q, 0.5))
        ):
            raise ValueError(
                "quantiles must be increasing levels in (0, 1) that include the median "
                f"0.5, e.g. (0.1, 0.5, 0.9); got {self.quantiles!r}."
            )
        return q

    def _fit(self, X, y, sample_weight=None, **kwargs):
        quantiles = self._check_quantiles()
        if not (hasattr(self, "net_") and (kwargs.get("incremental") or self.warm_start)):
            self.quantiles_ = quantiles
        return super()._fit(X, y, sample_weight, **kwargs)

    def _check_same_network(self):
        # ``scaling`` and the network's width are network arguments (checked by the
        # base); the quantile levels are the loss's.
        super()._check_same_network()
        quantiles = self._check_quantiles()
        if (quantiles is None) != (self.quantiles_ is None) or (
            quantiles is not None and not np.array_equal(quantiles, self.quantiles_)
        ):
            raise ValueError(
                "quantiles cannot change between warm-started fits or partial_fit "
                f"calls: the network was trained for quantiles={self.quantiles_!r}."
            )

    def _n_quantiles(self, quantiles="fitted"):
        q = self.quantiles_ if isinstance(quantiles, str) else quantiles
        return 1 if q is None else len(q)

    @property
    def _criterion(self):
        quantiles = None if self.quantiles_ is None else tuple(self.quantiles_)
        if self.scaling == "window":
            # The network returns each window's statistics with its forecasts; the
            # loss is measured in units of each window.
            return functools.partial(seq_nn.WindowScaledLoss, quantiles)
        if quantiles is None:
            return "mse"
        return functools.partial(seq_nn.QuantileLoss, quantiles)

    def _prepare_target(self, target, sample_weight, first_call, dtype):
        if self.scaling == "window":
            # The network forecasts in the units of the series (its first input
            # feature) and its loss is in units of each window: y stays as it is.
            if first_call:
                self._y_mean = np.zeros(target.shape[1])
                self._y_scale = np.ones(target.shape[1])
            target = target.astype(dtype)
        else:
            target = super()._prepare_target(target, sample_weight, first_call, dtype)
        # Each output is predicted once per quantile, next to each other.
        return np.repeat(target, self._n_quantiles(), axis=1)

    def _module_kwargs(self, seqs, sample_weight):
        return dict(
            input_size=seqs.n_features,
            n_outputs=self.n_outputs_ * self._n_quantiles(),
            cell=self.cell,
            bidirectional=self.bidirectional,
            attention=self.attention,
            scaling=self.scaling,
            **self._network_size(),
            **self._input_standardization(seqs, sample_weight),
        )

    # -- prediction ----------------------------------------------------------------

    def _predict_all(self, X):
        out = self._forward(X).astype(np.float64)
        out = out.reshape(out.shape[0], self.n_outputs_, self._n_quantiles())
        out = out * self._y_scale[:, None] + self._y_mean[:, None]
        # Sorting removes quantile crossing without changing a well-ordered forecast.
        return np.sort(out, axis=2)

    def predict(self, X):
        """Forecast of each window: the median when ``quantiles`` are set.

        %(windows_only_as_fit)s

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Forecasts in the units of ``y``.
        """
        check_is_fitted(self)
        out = self._predict_all(X)
        median = 0 if self.quantiles_ is None else int(np.argmin(np.abs(self.quantiles_ - 0.5)))
        out = out[:, :, median]
        return out[:, 0] if self._y_1d else out

    def predict_quantiles(self, X):
        """Forecast quantiles of each window, for prediction intervals.

        %(windows_only_as_fit)s

        Returns
        -------
        y_quantiles : ndarray of shape (n_samples, n_quantiles) or \
                (n_samples, n_outputs, n_quantiles)
            The levels of ``quantiles_`` along the last axis, in increasing
            order (never crossing), in the units of ``y``. 2D when ``y`` was 1D.
        """
        check_is_fitted(self)
        if self.quantiles_ is None:
            raise ValueError(
                "predict_quantiles needs quantiles, e.g. quantiles=(0.1, 0.5, 0.9); "
                "this forecaster was fitted with quantiles=None."
            )
        out = self._predict_all(X)
        return out[:, 0, :] if self._y_1d else out

    @available_if(_has_attention)
    def attention_weights(self, X):
        """Attention weight of every step of each window.

        Weights sum to 1 over each window's real steps; the steps of ragged
        input past a window's end (padding up to the longest window) get
        weight 0. One set of weights serves all forecast steps.

        %(windows_only_as_predict)s

        Returns
        -------
        weights : ndarray of shape (n_samples, n_timesteps)
            ``n_timesteps`` is the longest window in ``X``.
        """
        return self._attention_weights(X)
