"""The shared base of the recurrent estimators.

:class:`BaseRecurrent` holds every parameter, the validation of inputs, training
through skorch and the fitted attributes. Public classes only fix the cell and the
task (classification or regression) and carry the docstrings.
"""

import functools
import os
import warnings
import weakref
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    is_classifier,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split
from sklearn.utils import (
    _safe_indexing,
    check_random_state,
)
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    _check_sample_weight,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from ._engine import net as engine
from ._engine.data import SequenceDataset
from ._engine.numerics import resolve_device, seeded, weighted_stats
from ._engine.callbacks import STEPS_PER_EPOCH_NO_CHANGE, NonFiniteLossError
from ._persistence import add_versions, register, restore_state, save
from .utils._validation import check_sequences, user_stacklevel



# Input statistics are estimated from at most this many time steps (one drawn at
# random from each of as many equal strata, with a fixed seed): beyond it they cost
# time and change nothing that matters to training (the standard error of a mean is
# then below 0.3% of a standard deviation).
_MAX_STAT_STEPS = 200_000


def _stat_steps(seqs, sample_weight):
    """Time steps ``(n, n_features)``, the rows to use (None: all) and their weights."""
    values = seqs.step_values()
    n = values.shape[0]
    if n <= _MAX_STAT_STEPS:
        return values, None, seqs.step_weights(sample_weight)
    rows = np.minimum(_strata() * (n / _MAX_STAT_STEPS), n - 1).astype(np.int64)
    if seqs.is_ragged:
        owner = np.searchsorted(seqs.offsets, rows, side="right") - 1
    else:
        owner = rows // seqs.values.shape[1]
    return values, rows, sample_weight[owner]


@functools.lru_cache(maxsize=1)
def _strata():
    """One fixed jittered point in each of ``_MAX_STAT_STEPS`` equal strata of [0, k)."""
    k = _MAX_STAT_STEPS
    strata = np.arange(k) + np.random.default_rng(0).random(k)
    strata.flags.writeable = False
    return strata


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


def _save_checkpoint(ref, early_stopping, start, path):
    """A checkpoint's ``save``: the estimator (held by the weak reference ``ref``)
    with the training record it would have if its fit ended here."""
    estimator = ref()
    if estimator is not None:
        estimator._record_history(early_stopping, start)
        save(estimator, path)


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


# max_iter="auto": training sees about this many time steps in all (at the default
# sizes up to about 90 s on a 2-core CPU), in at least 10 and at most 200 epochs.
AUTO_TIME_STEPS = 15_000_000
AUTO_EPOCHS = (10, 200)


class BaseRecurrent(BaseEstimator, metaclass=ABCMeta):
    """Base class for recurrent sequence estimators. Not for direct use."""

    _cell = "lstm"

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
            self.n_features_in_ = seqs.values.shape[1] if ndim == 2 else seqs.n_features
            self.n_features_per_step_ = seqs.n_features
            self._fit_ndim = ndim
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

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            # At least 32 steps per epoch on large data, whole batch on tiny data.
            return int(min(n_samples, np.clip(n_samples // 32, 32, 256)))
        return int(min(self.batch_size, n_samples))

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

    def _fit(self, X, y, sample_weight=None, *, incremental=False, classes=None):
        first_call = not hasattr(self, "net_") or not (incremental or self.warm_start)
        if not first_call:
            self._check_same_network()
        scoring = self._scoring()
        # As HistGradientBoosting: a scorer name is checked even when unused.
        scorer = None if scoring == "loss" else check_scoring(self, scoring)
        seqs, target, sample_weight = self._fit_data(
            X, y, sample_weight, first_call=first_call, incremental=incremental,
            classes=classes,
        )
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        if incremental and hasattr(self, "n_iter_"):
            seed = (seed + self.n_iter_) % np.iinfo(np.int32).max

        early_stopping = self.early_stopping and not incremental
        train_idx = valid_idx = None
        if early_stopping:
            train_idx, valid_idx = self._validation_split(seqs.n_samples, target, seed)
        weighted = not np.all(sample_weight == 1.0)
        valid_scorer = None
        if early_stopping and scorer is not None:
            # Scored as the user would score the model: through predict, on the
            # validation sequences and labels as given (and their weights).
            weight = {"sample_weight": sample_weight[valid_idx]} if weighted else {}
            valid_scorer = functools.partial(
                scorer, self, _safe_indexing(X, valid_idx), _safe_indexing(y, valid_idx),
                **weight,
            )

        train_set = self._dataset(seqs, target, sample_weight, train_idx, weighted)
        valid_set = (None if valid_idx is None
                     else self._dataset(seqs, target, sample_weight, valid_idx, weighted))
        batch_size = self._batch_size(len(train_set))
        if first_call:
            # Input statistics come from the training samples only.
            fit_weight = sample_weight
            if train_idx is not None:
                fit_weight = np.zeros_like(sample_weight)
                fit_weight[train_idx] = sample_weight[train_idx]
            self.device_ = resolve_device(self.device)
            self.net_ = self._make_net(self._module_kwargs(seqs, fit_weight), batch_size,
                                       self.device_, early_stopping, valid_set, seed=seed)
        else:
            spec = self._training_spec(early_stopping, len(self.net_.history))
            engine.update_training(self.net_, spec, batch_size, valid_set)

        epochs = 1 if incremental else self._max_epochs(seqs, train_idx)
        start = len(self.net_.history)
        stopped, interrupted = self._train(train_set, epochs, seed, valid_scorer,
                                           early_stopping, start)
        if interrupted:
            raise KeyboardInterrupt(
                f"training interrupted after {self.n_iter_} epochs; the estimator keeps "
                "the weights of the last finished epoch"
            )
        if not incremental and not stopped:
            self._warn_max_iter(epochs)
        return self

    def _dataset(self, seqs, target, sample_weight, idx, weighted):
        """The engine's dataset of the samples at ``idx`` (None: all)."""
        if idx is not None:
            seqs, target, sample_weight = seqs.take(idx), target[idx], sample_weight[idx]
        return SequenceDataset(seqs, target,
                               sample_weight.astype(self.dtype) if weighted else None)

    def _fit_data(self, X, y, sample_weight, *, first_call, incremental, classes):
        """The validated sequences, the training target and the sample weights (with
        ``class_weight`` applied) of a ``fit`` or ``partial_fit`` call."""
        seqs = self._validate_X(X, reset=first_call, y=y)
        target = self._encode_y(y, first_call=first_call, classes=classes)
        check_consistent_length(np.empty((seqs.n_samples, 0)), target)
        sample_weight = _check_sample_weight(
            sample_weight, np.empty((seqs.n_samples, 0)), dtype=np.float64
        )
        if (sample_weight < 0).any():  # as _check_sample_weight(ensure_non_negative=True)
            raise ValueError("Negative values in data passed to `sample_weight`.")
        sample_weight = self._adjust_sample_weight(sample_weight, y)
        if not incremental:
            self._check_target(target, sample_weight)
        # The compute dtype (inputs may be token ids).
        target = self._prepare_target(target, sample_weight, first_call, np.dtype(self.dtype))
        return seqs, target, sample_weight

    def _validation_split(self, n_samples, target, seed):
        """Training and validation indices for early stopping (stratified for
        classifiers)."""
        train_idx, valid_idx = train_test_split(
            np.arange(n_samples),
            test_size=self.validation_fraction,
            random_state=seed,
            stratify=target if is_classifier(self) else None,
        )
        if len(valid_idx) < 2:
            # A validation score of one sample is undefined (R^2) or all-or-nothing.
            raise ValueError(
                f"The validation set is too small ({len(valid_idx)} sample). Increase "
                "'validation_fraction' or the size of your dataset, or set "
                "early_stopping=False."
            )
        return train_idx, valid_idx

    def _warn_max_iter(self, epochs):
        limit = (
            f"max_iter='auto': {epochs} epochs for this data size; set max_iter to "
            "train longer" if self.max_iter == "auto" else self.max_iter
        )
        warnings.warn(
            f"Stochastic Optimizer: Maximum iterations ({limit}) reached and "
            "the optimization hasn't converged yet.",
            ConvergenceWarning,
            stacklevel=user_stacklevel(),
        )

    def _training_spec(self, early_stopping, start=0):
        """The engine's :class:`~sklearn_seq._engine.net.TrainingSpec` for the
        estimator's current training parameters; ``start``: the first epoch of the
        fit it is for (what a checkpoint records as this fit's epochs)."""
        checkpoint = None
        if self.checkpoint_dir is not None:
            save = functools.partial(_save_checkpoint, weakref.ref(self), early_stopping,
                                     start)
            checkpoint = (self.checkpoint_dir, self.checkpoint_every, save)
        return engine.TrainingSpec(
            learning_rate=self.learning_rate_init,
            alpha=self.alpha,
            max_epochs=None if self.max_iter == "auto" else self.max_iter,
            shuffle=self.shuffle,
            patience=self.n_iter_no_change + 1,
            min_steps=STEPS_PER_EPOCH_NO_CHANGE * self.n_iter_no_change
            if self._counts_steps else 0,
            tol=self.tol,
            max_grad_norm=self.max_grad_norm,
            verbose=self.verbose,
            validates=early_stopping,
            score_kind=self._score_kind,
            checkpoint=checkpoint,
        )

    def _make_net(self, module_kwargs, batch_size, device, early_stopping,
                  valid_dataset=None, *, seed=0):
        """The initialized skorch net of this estimator, built by ``fit`` (with the
        validation set of early stopping) and by :func:`sklearn_seq.load` (without
        one: the next warm-started fit sets the split itself)."""
        net = engine.build_net(
            module=self._module,
            module_kwargs=module_kwargs,
            criterion=self._criterion,
            spec=self._training_spec(early_stopping),
            batch_size=batch_size,
            device=device,
            valid_dataset=valid_dataset,
        )
        with seeded(seed, device):
            net.initialize()
        return net

    def _train(self, train_set, epochs, seed, valid_scorer, early_stopping, start):
        """Train ``net_``; turn its history into the fitted attributes, also when
        training diverged (:class:`NonFiniteLossError`) or was interrupted before
        its first epoch (the estimator is then left unfitted)."""
        try:
            result = engine.train(self.net_, train_set, epochs, seed, valid_scorer)
        except (NonFiniteLossError, KeyboardInterrupt):
            if len(self.net_.history):
                self._record_history(early_stopping, start)
            else:
                # Nothing was learnt: unfitted, not half-built.
                del self.net_
            raise
        self._record_history(early_stopping, start)
        return result

    def _max_epochs(self, seqs, train_idx=None):
        """``max_iter``, or for ``"auto"`` the epochs that make about
        ``AUTO_TIME_STEPS`` time steps of training in all, within ``AUTO_EPOCHS``:
        many steps on a small training set, a few epochs on a large one, so that a
        default fit takes a bounded time."""
        if self.max_iter != "auto":
            return self.max_iter
        if seqs.is_ragged:
            lengths = seqs.lengths if train_idx is None else seqs.lengths[train_idx]
            steps = int(lengths.sum())
        else:
            steps = seqs.max_length * (seqs.n_samples if train_idx is None else len(train_idx))
        steps = max(1, steps)
        return int(np.clip(np.ceil(AUTO_TIME_STEPS / steps), *AUTO_EPOCHS))

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

    # The torch module (a name in ``sklearn_seq.nn``) that a subclass trains; its
    # arguments come from _module_kwargs.
    _module = None

    def _input_standardization(self, seqs, sample_weight):
        """The network's fixed input standardisation: weighted per-feature statistics.

        Estimated from at most ``_MAX_STAT_STEPS`` time steps, as scikit-learn's
        binning and quantile transformers subsample: exact on smaller data.
        """
        values, rows, weight = _stat_steps(seqs, sample_weight)
        mean, scale = weighted_stats(values, weight, rows=rows)
        return dict(input_mean=mean.astype(self.dtype), input_scale=scale.astype(self.dtype))

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

    def _record_history(self, early_stopping, start=0):
        """Fitted attributes from the net's history; ``start``: the first epoch of
        this fit (a warm-started fit restores the best weights of its own epochs)."""
        history = self.net_.history
        self.n_iter_ = len(history)
        self.loss_curve_ = [float(v) for v in history[:, "train_loss"]]
        if early_stopping:
            self.validation_scores_ = [
                float(row["valid_score"]) for row in history if "valid_score" in row
            ]
            self.best_validation_score_ = max(
                (float(row["valid_score"]) for row in history[start:] if "valid_score" in row),
                default=None,
            )
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = min(self.loss_curve_) if self.loss_curve_ else None

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

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences, as for ``predict``.

        Returns
        -------
        weights : ndarray of shape (n_samples, n_timesteps)
            ``n_timesteps`` is the longest sequence in ``X``.
        """
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
