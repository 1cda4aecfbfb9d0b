"""The shared base of the recurrent estimators.

:class:`BaseRecurrent` holds every parameter, the validation of inputs, the
extension points that estimators override, prediction and the file format's hooks;
its training half, the fit and the fitted attributes, is
:class:`~sklearn_seq._training.TrainingMixin`. Public classes only fix the cell and
the task (classification or regression) and carry the docstrings.
"""

import os
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from ._engine import net as engine
from ._persistence import add_versions, register, restore_state, save
from ._training import TrainingMixin
from .utils._docstrings import fill_doc
from .utils._validation import check_sequences, set_n_features_in


def _has_attention_pooling(estimator):
    """``available_if`` check of ``attention_weights``: only an estimator that pools
    with attention has attention weights."""
    pooling = estimator.get_params(deep=False).get("pooling")
    if pooling is None:
        raise AttributeError(
            f"attention_weights is not available: {type(estimator).__name__} has no "
            "attention (estimators with pooling='attention' and AttentionForecaster "
            "have)."
        )
    if pooling != "attention":
        chosen = ""
        if pooling == "auto" and hasattr(estimator, "net_"):
            chosen = f" (which chose {estimator.pooling_!r})"
        raise AttributeError(
            f"attention_weights is not available with pooling={pooling!r}{chosen}; set "
            "pooling='attention' and refit to read attention weights."
        )
    return True


def _refuse_changes(built, current, what):
    """Raise if a parameter in ``current`` differs from the value ``what`` was built
    with (plain values only: arrays, such as pretrained embeddings, are checked at
    fit)."""
    plain = (type(None), bool, int, float, str, np.generic, tuple)
    for key, value in built.items():
        now = current.get(key, value)
        # layer sizes given as a list or a tuple are the same sizes
        value, now = (tuple(v) if isinstance(v, list) else v for v in (value, now))
        if isinstance(value, plain) and isinstance(now, plain) and now != value:
            raise ValueError(
                f"{key} cannot change between warm-started fits or partial_fit calls: "
                f"{what} was built with {key}={value!r}. Set warm_start=False (or call "
                "fit) to start again."
            )


@fill_doc
class BaseRecurrent(TrainingMixin, BaseEstimator, metaclass=ABCMeta):
    """Base class for recurrent sequence estimators. Not for direct use."""

    # Fitted attributes and the kind of value each holds (the safe format saves
    # these; see _persistence.FITTED_KINDS). Subclasses add theirs.
    _fitted_attributes = {
        "n_features_in_": "int",
        "n_features_per_step_": "int",
        "_fit_ndim": "int",
        "feature_names_in_": "array",
        "device_": "str",
        "n_iter_": "int",
        "loss_curve_": "float_list",
        "validation_scores_": "float_list_or_none",
        "best_validation_score_": "float_or_none",
        "best_loss_": "float_or_none",
    }

    # Whether the stopping rule also counts optimizer steps (see
    # _engine.callbacks.StoppingCriterion).
    _counts_steps = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # The public estimators of this package are the classes the safe format
        # may name (a user's subclass is not).
        if cls.__module__.startswith("sklearn_seq.") and not cls.__name__.startswith("_"):
            register(cls)

    _parameter_constraints = {
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "shuffle": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "dtype": [StrOptions({"float32", "float64"})],
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "checkpoint_dir": [str, os.PathLike, None],
        "checkpoint_every": [Interval(Integral, 1, None, closed="left")],
    }

    @abstractmethod
    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        dropout=0.0,
        max_iter=200,
        batch_size="auto",
        learning_rate_init=1e-3,
        alpha=1e-4,
        shuffle=True,
        early_stopping=False,
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
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.alpha = alpha
        self.shuffle = shuffle
        self.early_stopping = early_stopping
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

    # -- input ---------------------------------------------------------------------

    def _validate_X(self, X, *, reset, y="no_validation"):
        """Validate ``X`` (the package's one conversion path) and check its width.

        Passing ``y`` (in ``fit``) makes scikit-learn check that it is not None.
        """
        if reset or type(X) is not np.ndarray or hasattr(self, "feature_names_in_"):
            # Feature names: set at fit, checked at predict (a plain ndarray has none,
            # so there is nothing to check unless the model was fitted with names).
            validate_data(self, X, y, skip_check_array=True, ensure_2d=False, reset=reset)
        dtype = np.float32 if self.dtype == "float32" else np.float64
        seqs, ndim = check_sequences(
            X, dtype=dtype, estimator_name=type(self).__name__, check_layout=reset
        )
        if reset:
            set_n_features_in(self, seqs, ndim)
            return seqs
        if ndim == 2 and self._fit_ndim == 2:
            width = seqs.values.shape[1]
            if width != self.n_features_in_:
                raise ValueError(
                    f"X has {width} features, but {type(self).__name__} is expecting "
                    f"{self.n_features_in_} features as input. A 2D X (or a list of "
                    "equal-length 1D sequences) holds one sequence per row, one column "
                    "per step, so it needs as many steps as at fit; to vary the number "
                    "of steps, fit on 3D data or on a list of (n_steps, n_features) arrays."
                )
        elif seqs.n_features != self.n_features_per_step_:
            raise ValueError(
                f"X has {seqs.n_features} features per time step, but "
                f"{type(self).__name__} is expecting {self.n_features_per_step_} "
                "features per step as input."
            )
        return seqs

    # -- training ------------------------------------------------------------------

    @abstractmethod
    def _encode_y(self, y, *, first_call, classes=None):
        """Validate ``y``; return the training target array."""

    @abstractmethod
    def _n_outputs(self):
        """Width of the network head."""

    _criterion = None

    def _scoring(self):
        """What early stopping watches: ``"loss"`` or a ``scoring`` for
        :func:`sklearn.metrics.check_scoring` (estimators without a ``scoring``
        parameter override this)."""
        return self.scoring

    @property
    def _score_kind(self):
        # The kind of _engine.callbacks.ValidationScore: the validation loss or a scorer.
        return "loss" if self._scoring() == "loss" else "scorer"

    def _check_target(self, target, sample_weight):
        """Refuse a target that ``fit`` cannot learn from (``partial_fit`` may)."""

    def _check_same_network(self, params=None):
        """A warm-started fit trains the network of the first fit: the parameters it
        was built from (``params``: the estimator's own by default) cannot change in
        between."""
        built = dict(self.net_.get_params_for("module"))
        if "dtype" in built:
            built["dtype"] = str(built["dtype"]).removeprefix("torch.")
        if params is None:
            params = self.get_params(deep=False)
        _refuse_changes(built, params, "the network")

    def _adjust_sample_weight(self, sample_weight, y):
        return sample_weight

    # Whether the module also reads the training target (its ``target`` keyword):
    # a decoder trained with teacher forcing does.
    _target_as_input = False

    # The torch module (a name in ``sklearn_seq.nn``) that a subclass trains; its
    # arguments come from _module_kwargs.
    _module = None

    def _network_size(self):
        """The network arguments every estimator has: its size, dropout and dtype."""
        return dict(hidden_size=self.hidden_size, num_layers=self.num_layers,
                    dropout=self.dropout, dtype=self.dtype)

    @abstractmethod
    def _module_kwargs(self, seqs, sample_weight):
        """The arguments of ``_module`` for training sequences ``seqs`` (with
        ``sample_weight``, for input statistics). Called by the first ``fit``; the
        file format stores them, so ``load`` rebuilds the same network."""

    def _prepare_target(self, target, sample_weight, first_call, dtype):
        return target

    # -- prediction ----------------------------------------------------------------

    def _forward(self, X):
        seqs = self._validate_X(X, reset=False)
        return engine.forward(self.net_, seqs)

    @available_if(_has_attention_pooling)
    def attention_weights(self, X):
        """Attention weight of every time step, per sample.

        Available with ``pooling="attention"``. Weights sum to 1 over each
        sequence's real steps; the steps of ragged input past a sequence's end
        (padding up to the longest sequence) get weight 0.

        %(X_only_as_predict)s

        Returns
        -------
        weights : ndarray of shape (n_samples, n_timesteps)
            ``n_timesteps`` is the longest sequence in ``X``.
        """
        return self._attention_weights(X)

    def _attention_weights(self, X):
        # What every estimator's attention_weights returns, whatever makes it available.
        check_is_fitted(self)
        seqs = self._validate_X(X, reset=False)
        return engine.attention(self.net_, seqs)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "net_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.non_deterministic = self.device != "cpu"
        return tags

    # -- persistence ---------------------------------------------------------------

    def save(self, path):
        """Save the fitted estimator to ``path`` in the safe format.

        The file holds the parameters and fitted state as JSON and the weights
        as safetensors; :func:`sklearn_seq.load` reads it back without running
        any code from the file, unlike pickle and joblib.

        Parameters
        ----------
        path : str or path-like
            The file to write.

        Returns
        -------
        self : object
            The estimator, unchanged.
        """
        save(self, path)
        return self

    def __getstate__(self):
        return add_versions(super().__getstate__())

    def __setstate__(self, state):
        # Warns when the pickle was made with another sklearn_seq version.
        super().__setstate__(restore_state(self, state))
