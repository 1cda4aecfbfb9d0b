"""Shared docstring text, written once and filled into each public estimator."""

ARCHITECTURE_PARAMS = """\
hidden_size : int, default=64
    Hidden units per direction of each recurrent layer (as in ``torch.nn.{cell}``).

num_layers : int, default=1
    Number of stacked recurrent layers.

dropout : float, default=0.0
    Dropout between stacked layers and before the output layer.

bidirectional : bool, default=False
    Also read each sequence backwards. Each sequence is reversed within its own
    length, so ragged input gives exact results.

pooling : {"auto", "last", "mean", "max", "attention"}, default={pooling_default}
    How the states over time are summarised for the output layer: the state at
    each sequence's last step (and the backward state at its first step), the
    mean or maximum over its steps, or additive attention whose weights
    :meth:`attention_weights` returns. ``"auto"``: ``"max"`` with the
    convolutional front end (as a convolutional classifier pools its features),
    ``"last"`` without it; ``pooling_`` gives the choice.

conv_channels : "auto", tuple of int or None, default="auto"
    Output channels of one-dimensional convolutions over time (each followed by
    a ReLU) applied before the recurrent layers, as in LSTM-FCN and CNN-LSTM
    models: they extract local shapes, which a recurrent layer alone learns
    slowly on long series. None or ``()``: the recurrent layers read the inputs
    directly. Exact on ragged batches (padding is zeroed before every
    convolution). ``"auto"``: ``(32, 32, 32)`` when the training sequences have
    a median length of at least 64 steps (long numeric series, where the front
    end scored far better than the plain network on the UCR development sets,
    see the README), none for shorter ones (event logs, forecasting windows);
    ``conv_channels_`` gives the choice.

kernel_size : int or tuple of int, default=(7, 5, 3)
    Width in time steps of the convolutions of ``conv_channels``: one value for
    all, or one per convolution (ignored without ``conv_channels``).

conv_stride : int, default=4
    With ``conv_channels``: the convolutions' features are max-pooled over
    blocks of ``conv_stride`` steps, so the recurrent layers run over
    ``ceil(length / conv_stride)`` steps (faster, and a shorter path through
    time on long series). Attention weights are still given per input step."""

_MAX_ITER_INT = """\
max_iter : int, default=200
    Maximum number of epochs (passes over the training data).
"""

_MAX_ITER_AUTO = """\
max_iter : int or "auto", default="auto"
    Maximum number of epochs (passes over the training data). ``"auto"`` sets
    it from the size of the training data: the epochs that make about 15
    million time steps of training in all (``n_samples * length`` steps an
    epoch), at least 10 and at most 200 (MLP's default). A small training set then gets
    enough optimizer steps to learn, and a large one a few epochs, so that a
    default fit ends in about a minute or two on a laptop CPU.
"""

_TRAINING_START = _MAX_ITER_INT + """
batch_size : int or "auto", default="auto"
    Sequences per mini-batch. ``"auto"`` uses ``min(n_samples,
    clip(n_samples // 32, 32, 256))``: the whole set when it is small, at least
    32 steps per epoch when it is large.

learning_rate_init : float, default=1e-3
    Learning rate of the Adam optimizer.

alpha : float, default=1e-4
    Strength of the L2 penalty on the weights, scaled as in ``MLPClassifier``.

shuffle : bool, default=True
    Shuffle the training data every epoch. Ragged sequences are then grouped into
    batches of similar length.

early_stopping : bool, default=False
    Hold out ``validation_fraction`` of the training data (stratified for
    classifiers) and stop when {watched} has not improved by ``tol`` for
    ``n_iter_no_change`` epochs; the best weights are restored. Without it,
    training stops when the training loss stops improving. Not used by
    ``partial_fit``."""

SCORING_PARAM = """\
scoring : str, callable or None, default="loss"
    What early stopping watches on the validation data, as in
    ``HistGradientBoostingClassifier``. ``"loss"``: the validation loss (the
    training criterion, without the L2 penalty). A scorer name such as
    ``"balanced_accuracy"`` or ``"neg_mean_absolute_error"`` (see
    ``sklearn.metrics.get_scorer_names()``) or a callable ``scorer(estimator, X,
    y)``: evaluated with ``predict`` on the held-out sequences as given, with their
    sample weights. None: the estimator's ``score`` (accuracy or R^2). The loss
    sees a model improve where accuracy may not: on imbalanced classes validation
    accuracy can stay at the majority share for many epochs, and early stopping
    watching it would restore a model that predicts the majority class only.
    Only used with ``early_stopping``; may change between warm-started fits."""

_TRAINING_END = """\
validation_fraction : float, default=0.1
    Share of the training data held out for early stopping.

n_iter_no_change : int, default=10
    Epochs without an improvement of at least ``tol`` before training stops.
    For the RNN, LSTM and GRU estimators the stop also waits for
    ``10 * n_iter_no_change`` optimizer steps without improvement, so that on a
    small training set (one or two steps an epoch) the plateaus that recurrent
    networks often have (the loss at chance level for tens of steps) are not taken
    for convergence; on larger data the epochs decide.

tol : float, default=1e-4
    Minimum improvement of the loss (or validation score) that counts.

max_grad_norm : float or None, default=1.0
    Clip the gradient norm to this value at every step (the usual guard against
    exploding gradients in recurrent networks); None disables clipping."""

TRAINING_PARAMS = "\n\n".join([
    _TRAINING_START.format(watched="the validation score (see ``scoring``)"),
    SCORING_PARAM,
    _TRAINING_END,
])

# For estimators without labels, whose early stopping watches the validation loss.
UNSUPERVISED_TRAINING_PARAMS = "\n\n".join([
    _TRAINING_START.format(watched="the validation loss"),
    _TRAINING_END,
])

RUNTIME_PARAMS = """\
dtype : {"float32", "float64"}, default="float32"
    Floating point type of the network and of the converted input. float32 is the
    fast path; float64 trades speed for precision.

device : str, default="cpu"
    Torch device to train and predict on: ``"cpu"``, ``"cuda"``, ``"cuda:1"``,
    or ``"auto"`` (a GPU when one is available).

random_state : int, RandomState instance or None, default=None
    Seeds weight initialisation, shuffling and the validation split. With an int,
    repeated fits on the CPU give identical models. The global torch random state
    is left untouched.

verbose : int, default=0
    0 prints nothing; 1 or more prints a line per epoch (the training loss, and
    the validation loss and score with early stopping). In a terminal the best
    values are in colour and a progress bar runs through each epoch; output to a
    file or a pipe gets plain lines only.

warm_start : bool, default=False
    Reuse the weights of the previous fit as the starting point.

checkpoint_dir : str or path-like, default=None
    Save the whole estimator (safe format, see :func:`sklearn_seq.save`) to
    ``checkpoint_dir/checkpoint.skseq`` every ``checkpoint_every`` epochs, so a killed
    process loses at most that many epochs. Resume with
    ``sklearn_seq.load(path).set_params(warm_start=True, max_iter=remaining).fit(X, y)``.

checkpoint_every : int, default=10
    Epochs between checkpoints."""

CLASS_WEIGHT_PARAM = """\
class_weight : dict, "balanced" or None, default=None
    Weights of the classes in the loss, multiplied into ``sample_weight``;
    ``"balanced"`` uses ``n_samples / (n_classes * np.bincount(y))``."""

COMMON_ATTRIBUTES = """\
net_ : skorch.NeuralNet
    The fitted skorch net that holds the torch module, optimizer and history.

n_features_in_ : int
    For 2D input, the number of time steps (one column per step, as scikit-learn
    requires); for 3D and ragged input, the number of features per step.

n_features_per_step_ : int
    Features per time step, fixed at fit; the number of steps may vary at predict.

feature_names_in_ : ndarray of shape (n_features_in_,)
    Column names when ``X`` was a pandas DataFrame with string column names.

n_iter_ : int
    Epochs run (over all calls with ``warm_start`` or ``partial_fit``).

loss_curve_ : list of float
    Training loss per epoch.

best_loss_ : float or None
    Lowest training loss, None with early stopping.

validation_scores_ : list of float or None
    With early stopping, the validation score of every epoch, higher being
    better: the negative validation loss with ``scoring="loss"`` (as
    ``HistGradientBoostingClassifier``'s ``validation_score_``), else the
    scorer's value. None without early stopping.

best_validation_score_ : float or None
    The best validation score of the last fit, whose weights early stopping
    restored; None without early stopping.

device_ : str
    Device the model was trained on."""

_TEMPLATE = """{cell} {task} for sequences, trained with skorch.

{intro}

Read more in the :ref:`User Guide <estimators>` (``docs/user_guide.md``).

Parameters
----------
{params}

Attributes
----------
{attributes}

See Also
--------
{see_also}

Notes
-----
Input may be a 2D array ``(n_samples, n_timesteps)`` of univariate sequences, a
3D array ``(n_samples, n_timesteps, n_features)``, or a list of sequences of
different lengths ``(T_i,)`` / ``(T_i, n_features)``. Inputs are standardised
per feature with (weighted) statistics of the training data inside the network
(estimated from 200,000 time steps drawn with a fixed seed when there are more).
Ragged batches are padded per batch after grouping by length, and every
sequence is read up to its own end, so results do not depend on the batch.

Examples
--------
{example}
"""

_INTROS = {
    "classifier": "Predicts one class per sequence from a recurrent encoding of it.",
    "regressor": (
        "Predicts one value (or one row of values) per sequence from a recurrent "
        "encoding of it. Targets are standardised for training and predictions "
        "returned in the units of ``y``."
    ),
}

_ARCH_ATTRS = """conv_channels_ : tuple of int
    Output channels of the fitted network's convolutions (``()``: none): what
    ``conv_channels="auto"`` chose.

pooling_ : str
    The fitted network's pooling: what ``pooling="auto"`` chose."""

_CLASS_ATTRS = """classes_ : ndarray of shape (n_classes,)
    Class labels seen in ``fit`` (or given to ``partial_fit``).

""" + _ARCH_ATTRS

_REG_ATTRS = """n_outputs_ : int
    Number of targets.

""" + _ARCH_ATTRS

_EXAMPLES = {
    "classifier": """>>> import numpy as np
>>> from sklearn_seq import {name}
>>> rng = np.random.RandomState(0)
>>> X = rng.randn(60, 12, 2).astype("float32")
>>> y = (X[:, :, 0].mean(axis=1) > 0).astype(int)
>>> clf = {name}(hidden_size=8, max_iter=5, random_state=0).fit(X, y)
>>> clf.predict(X[:3]).shape
(3,)
>>> clf.predict_proba(X[:3]).shape
(3, 2)""",
    "regressor": """>>> import numpy as np
>>> from sklearn_seq import {name}
>>> rng = np.random.RandomState(0)
>>> X = rng.randn(60, 12)
>>> y = X[:, -3:].sum(axis=1)
>>> reg = {name}(hidden_size=8, max_iter=5, random_state=0).fit(X, y)
>>> reg.predict(X[:3]).shape
(3,)""",
}


def fill_doc(*, cell, task):
    """Class decorator: build the numpydoc docstring of a public estimator."""

    def decorate(cls):
        params = [
            ARCHITECTURE_PARAMS.replace("{cell}", cell).replace(
                "{pooling_default}", '"auto"' if task == "classifier" else '"last"'
            ),
            TRAINING_PARAMS.replace(_MAX_ITER_INT, _MAX_ITER_AUTO),
        ]
        if task == "classifier":
            params.append(CLASS_WEIGHT_PARAM)
        params.append(RUNTIME_PARAMS)
        attrs = [_CLASS_ATTRS if task == "classifier" else _REG_ATTRS, COMMON_ATTRIBUTES]
        others = [c for c in ("RNN", "LSTM", "GRU") if c != cell]
        suffix = "Classifier" if task == "classifier" else "Regressor"
        see_also = "\n".join(
            f"{c}{suffix} : The same estimator with the {c} cell." for c in others
        )
        cls.__doc__ = _TEMPLATE.format(
            cell=cell,
            task=task,
            intro=_INTROS[task],
            params="\n\n".join(params),
            attributes="\n\n".join(attrs),
            see_also=see_also,
            example=_EXAMPLES[task].format(name=cls.__name__),
        )
        return cls

    return decorate
