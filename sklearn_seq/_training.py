"""How the estimators train: :class:`TrainingMixin`, the training half of
:class:`~sklearn_seq.base.BaseRecurrent`.

``fit`` and ``partial_fit`` (through ``_fit``) validate the data, split off the
validation set of early stopping, build the net once (``_make_net``, which
:func:`sklearn_seq.load` uses too) or hand it a new training specification, train
it through :mod:`sklearn_seq._engine`, and turn its history into the fitted
attributes in one place (``_record_history``). The parameters and the extension
points it calls (``_encode_y``, ``_prepare_target``, ``_module_kwargs``, ...) are
:class:`~sklearn_seq.base.BaseRecurrent`'s.
"""

import functools
import warnings
import weakref

import numpy as np
from sklearn.base import is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split
from sklearn.utils import _safe_indexing, check_random_state, get_tags
from sklearn.utils.validation import _check_sample_weight, check_consistent_length

from ._engine import net as engine
from ._engine.callbacks import STEPS_PER_EPOCH_NO_CHANGE, NonFiniteLossError
from ._engine.data import SequenceDataset
from ._engine.numerics import resolve_device, seeded, weighted_stats
from ._persistence import save
from .nn._cost import forward_macs_per_step
from .utils._validation import user_stacklevel


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


def _save_checkpoint(ref, early_stopping, start, path):
    """A checkpoint's ``save``: the estimator (held by the weak reference ``ref``)
    with the training record it would have if its fit ended here."""
    estimator = ref()
    if estimator is not None:
        estimator._record_history(early_stopping, start)
        save(estimator, path)


# max_iter="auto": training costs about what AUTO_TIME_STEPS time steps of the
# recurrent classifiers' default network cost (a univariate front end of 32
# channels, an LSTM of 64 units: about AUTO_REFERENCE_MACS multiply-adds a step,
# see sklearn_seq.nn._cost; 14,933 since convolutions are priced by their measured
# time, the constant kept so that other networks' budgets stay as they were), in
# at most 200 epochs and at least 10 unless 10 would cost more than AUTO_MAX_COST
# times that: about a minute on a 2-core CPU, at most about 90 s (60 million time
# steps of the default network, as before 40 million became the budget;
# benchmarks/bench_budget.py times them). 40 million steps give FCN's widths,
# which the classifiers take on medium training sets, the ~150 epochs they need
# (see recurrent.AUTO_FCN_MAX_STEPS).
AUTO_TIME_STEPS = 40_000_000
AUTO_REFERENCE_MACS = 14_976
AUTO_MAX_COST = 1.5


AUTO_EPOCHS = (10, 200)



def _attended_length(seqs, index=None):
    """The steps a sequence's attention reads, on average over the time steps of
    the sequences (at ``index``): ``sum(lengths ** 2) / sum(lengths)``."""
    if not seqs.is_ragged:
        return float(seqs.max_length)
    lengths = (seqs.lengths if index is None else seqs.lengths[index]).astype(np.float64)
    return float(np.sum(lengths**2) / max(np.sum(lengths), 1.0))


class TrainingMixin:
    """Training for :class:`~sklearn_seq.base.BaseRecurrent`, which reads every
    parameter it uses."""

    # batch_size="auto" on 32 to 319 sequences: a tenth of them (at least 8) a
    # batch, as the fully convolutional classifiers train, rather than 32 (see
    # _RecurrentClassifier). Below 32 the whole set stays one batch: a fit then
    # is the same with integer sample weights as with repeated sequences.
    _small_batches = False

    # max_iter="auto" of the estimators with a fixed number of epochs of their own
    # (the text estimators, the panel forecaster's network): the most epochs that
    # cost at most AUTO_MAX_COST times the budget, and at most this many (None:
    # the rule of _max_epochs), so a large data set gets fewer.
    _auto_most_epochs = None

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            if self._small_batches and 32 <= n_samples < 320:
                # About ten optimizer steps an epoch on a small training set.
                return int(max(8, n_samples // 10))
            # At least 32 steps per epoch on large data, whole batch on tiny data.
            return int(min(n_samples, np.clip(n_samples // 32, 32, 256)))
        return int(min(self.batch_size, n_samples))

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

        epochs = 1 if incremental else self._max_epochs(seqs, train_idx, target)
        if self.verbose and not incremental and self.max_iter == "auto":
            n_train = seqs.n_samples if train_idx is None else len(train_idx)
            print(f"max_iter='auto': at most {epochs} epochs for {n_train} training "
                  f"sequences of {seqs.n_steps(train_idx)} time steps in all")
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
                               sample_weight.astype(self.dtype) if weighted else None,
                               target_as_input=self._target_as_input)

    def _fit_data(self, X, y, sample_weight, *, first_call, incremental, classes):
        """The validated sequences, the training target and the sample weights (with
        ``class_weight`` applied) of a ``fit`` or ``partial_fit`` call."""
        if y is None and get_tags(self).target_tags.required:
            # Before any reading of X: text input is read without y (scikit-learn's
            # validate_data says the same for the numeric input).
            raise ValueError(f"This {type(self).__name__} estimator requires y to be "
                             "passed, but the target y is None.")
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
            # a parameter of the estimators that offer a schedule (``learning_rate``)
            schedule=getattr(self, "learning_rate", "constant"),
            criterion_kwargs=self._criterion_kwargs(),
        )

    def _criterion_kwargs(self):
        """Settings of the training criterion (``_criterion``) from the estimator's
        parameters; none by default."""
        return {}

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

    def _max_epochs(self, seqs, train_idx=None, target=None):
        """``max_iter``, or for ``"auto"`` the epochs that cost about what
        ``AUTO_TIME_STEPS`` time steps of the reference network cost, within
        ``AUTO_EPOCHS`` (fewer than its minimum only where that many would cost
        more than ``AUTO_MAX_COST`` times the budget): many epochs on a small
        training set, a few on a large one or with a large network, so that a
        default fit takes a bounded time. ``target``: the training target, for
        networks whose cost depends on it (:meth:`_epoch_macs`)."""
        if self.max_iter != "auto":
            return self.max_iter
        cost = self._epoch_macs(seqs, train_idx, target)
        budget = AUTO_TIME_STEPS * AUTO_REFERENCE_MACS / max(cost, 1.0)
        # never more than AUTO_MAX_COST times the budget (but at least one epoch)
        most = int(max(np.floor(AUTO_MAX_COST * budget), 1))
        if self._auto_most_epochs is not None:
            return min(most, self._auto_most_epochs)
        return int(np.clip(np.ceil(budget), min(most, AUTO_EPOCHS[0]),
                           min(most, AUTO_EPOCHS[1])))

    def _epoch_macs(self, seqs, train_idx=None, target=None):
        """About the multiply-adds of one forward pass over the training sequences:
        their time steps times the network's cost a step
        (:func:`~sklearn_seq.nn._cost.forward_macs_per_step`)."""
        return seqs.n_steps(train_idx) * forward_macs_per_step(
            self.net_.module_, _attended_length(seqs, train_idx))

    def _input_standardization(self, seqs, sample_weight):
        """The network's fixed input standardisation: weighted per-feature statistics.

        Estimated from at most ``_MAX_STAT_STEPS`` time steps, as scikit-learn's
        binning and quantile transformers subsample: exact on smaller data.
        """
        values, rows, weight = _stat_steps(seqs, sample_weight)
        mean, scale = weighted_stats(values, weight, rows=rows)
        return dict(input_mean=mean.astype(self.dtype), input_scale=scale.astype(self.dtype))

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
