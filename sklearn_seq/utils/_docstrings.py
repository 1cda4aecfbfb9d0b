"""Shared docstring text, written once and filled into the public estimators.

A public class writes its own docstring and names the shared paragraphs where they
go: a line ``%(training_params)s`` becomes the entry ``"training_params"`` of
:data:`docdict`, indented as the line (entries may name other entries, and a
``%(cell)s`` inside a line is filled too). :func:`fill_doc`, a decorator as in
scikit-learn and MNE, does it when the class (with the docstrings of the methods it
defines) or the function is defined. The methods' paragraphs are in
:mod:`~sklearn_seq.utils._method_docstrings`.
"""

import re
import textwrap

from ._method_docstrings import METHOD_PARAGRAPHS

_RECURRENT_ARCHITECTURE = """\
hidden_size : int, default=64
    Hidden units per direction of each recurrent layer (as in ``torch.nn.%(cell)s``).

num_layers : int, default=1
    Number of stacked recurrent layers.

dropout : float, default=0.0
    Dropout between stacked layers and before the output layer.

bidirectional : bool, default=False
    Also read each sequence backwards. Each sequence is reversed within its own
    length, so ragged input gives exact results.

pooling : {"auto", "last", "mean", "max", "attention"}, default=%(pooling_default)s
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
    see the README), none for shorter ones (event logs, forecasting windows);%(conv_auto_wide)s
    ``conv_channels_`` gives the choice.

kernel_size : int or tuple of int, default=(7, 5, 3)
    Width in time steps of the convolutions of ``conv_channels``: one value for
    all, or one per convolution (ignored without ``conv_channels``).

conv_stride : int, default=4
    With ``conv_channels``: the convolutions' features are max-pooled over
    blocks of ``conv_stride`` steps, so the recurrent layers run over
    ``ceil(length / conv_stride)`` steps (faster, and a shorter path through
    time on long series). Attention weights are still given per input step.

conv_norm : {"auto", "layer", "batch", "mixed"} or None, default=%(conv_norm_default)s
    With ``conv_channels``: normalisation after each convolution (before its
    ReLU). ``"layer"``: each sequence on its own, over all channels and its real
    steps, then a learnt scale and shift per channel (group normalisation with
    one group); no batch statistics, so training and prediction compute the
    same thing. ``"batch"``: batch normalisation, as in fully convolutional
    classifiers (FCN); its training statistics leave out the padding of ragged
    batches, and prediction uses the statistics gathered in training. Either
    way a sequence's prediction does not depend on its batch. ``"mixed"``: in
    an ensemble (``n_estimators`` above 1) the networks alternate the two, the
    first with per-sequence normalisation and ``kernel_size``, the next with
    batch normalisation and kernels about twice as wide (``2 k + 1`` steps for
    each width ``k``), and so on (one network: ``"layer"``). None: no
    normalisation. ``"auto"``: ``"batch"`` from 100 training sequences
    (batches of at least 10 with ``batch_size="auto"``); below, ``"layer"`` for
    one network (batch statistics are noisy there, and batch normalisation
    scored lower on two of the three small development sets) and ``"mixed"``
    for an ensemble (batch normalisation scored far higher on ArrowHead, the
    per-sequence one on Coffee and PickupGestureWiimoteZ; batch-normalised
    networks scored higher on all three with the wider kernels, per-sequence
    ones lower on two; an ensemble of both kinds scored at least as well as the
    better kind on ArrowHead and Coffee); ``conv_norm_`` gives the choice.

conv_branch : bool, default=%(conv_branch_default)s
    With ``conv_channels``: the mean of the convolutions' features over each
    sequence's real steps (global average pooling, the convolutional branch of
    LSTM-FCN) joins the recurrent summary before the output layer, and the
    convolutions learn through it alone: the recurrent layers read their
    features without passing a gradient back in training (on the UCR
    development sets this lifted OSULeaf from 0.873 to 0.923 and
    PickupGestureWiimoteZ from 0.713 to 0.800, and lowered PLAID from 0.855 to
    0.819 and Coffee from 1.000 to 0.976).%(conv_tuning)s"""

_CONV_AUTO_WIDE = """
    for the classifiers, ``(64, 64, 64)`` instead of 32 when the training set
    holds at most 37,500 time steps (``n_samples * length``): there
    ``max_iter="auto"`` ends its 200 epochs in a fraction of its time budget, and
    the wider front end (about twice the time) scored higher on the small
    development sets; and FCN's widths ``(64, 128, 64)`` on up to 86,000 time
    steps, where ``max_iter="auto"`` gives them the 150 epochs they need (on
    OSULeaf they scored 0.934 after 100 epochs, 0.959 after 150);"""

_CONV_TUNING_CLASSIFIER = """ The
    classifiers' defaults (``conv_norm="auto"``, ``conv_branch=True``,
    ``learning_rate="cosine"``, and the small-set rules of ``batch_size`` and
    ``conv_channels``) were chosen on the UCR development sets (see the
    README): over three seeds they raised the mean accuracy of the seven sets
    from 0.820 to 0.870 (OSULeaf 0.69 to 0.87, ArrowHead 0.59 to 0.72, PLAID
    +0.02, PickupGestureWiimoteZ +0.01, ECG5000 -0.01, Coffee and Trace
    equal). ``conv_norm="batch"`` on small sets scored higher on ArrowHead
    (0.71 against 0.65 before the small-set rules) but lower on Coffee (0.92)
    and PickupGestureWiimoteZ (0.64)."""

_CONV_TUNING_REGRESSOR = """ The
    regressors keep the front end of the first defaults (no normalisation, no
    branch, a constant learning rate): the classifiers' defaults were chosen on
    classification sets, and no real sequence-regression set was at hand to
    check them; ``conv_norm="auto", conv_branch=True, learning_rate="cosine"``
    is the classifiers' configuration."""

_MAX_ITER = """\
max_iter : int, default={max_iter}
    Maximum number of epochs (passes over the training data)."""

_MAX_ITER_AUTO = """\
max_iter : int or "auto", default="auto"
    Maximum number of epochs (passes over the training data). ``"auto"`` sets
    it from the size of the training data and of the network: the epochs whose
    computation (time steps times the network's multiply-adds a step, a
    convolution's counted at a third as their measured time says) is about that
    of 40 million time steps of :class:`~sklearn_seq.LSTMClassifier`'s default
    network on one feature, at most 200 (MLP's default) and at least 10, unless
    10 would cost more than 1.5 times that. A small training set then gets
    enough optimizer steps to learn, and a large one or a large network a few
    epochs, so that a default fit ends in about a minute (90 s at most) on a
    2-core CPU."""

_MAX_ITER_TEXT = """\
max_iter : int or "auto", default="auto"
    Maximum number of epochs (passes over the training data). ``"auto"``: 20,
    or fewer on a large corpus of long documents: the most epochs whose
    computation (tokens read times the network's multiply-adds a token, the
    embeddings left out) is at most that of 60 million time steps of
    :class:`~sklearn_seq.LSTMClassifier`'s default network (1.5 times the
    budget of ``"auto"``), so that a default fit ends in about two minutes on a
    laptop CPU. The English tweets and the speeches
    of the README's benchmark get their 20 epochs (about 600,000 tokens an epoch
    at most); 10,000 documents of 200 tokens get 6 (7 when early stopping holds
    a tenth of them back)."""

_MAX_ITER_TEXT_30 = """\
max_iter : int or "auto", default="auto"
    Epochs at most. ``"auto"``: 30, or fewer on a large corpus of long texts, as
    :class:`~sklearn_seq.BiRNNTextClassifier`'s 20 (the most epochs whose
    computation is at most 1.5 times the budget of ``"auto"``), so that a
    default fit ends in about two minutes on a laptop CPU."""

_MAX_ITER_FORECASTER = """\
max_iter : int or "auto", default=200
    Maximum number of epochs (passes over the training data). ``"auto"``: 100,
    or fewer on many windows (a large panel of series): the most epochs whose
    computation is at most that of 60 million time steps of
    :class:`~sklearn_seq.LSTMClassifier`'s default network, so that a fit ends
    in about two minutes on a laptop CPU. :class:`PanelForecaster`'s default
    network uses it."""

_TRAINING_START = """\
batch_size : int or "auto", default="auto"
    Sequences per mini-batch. ``"auto"`` uses ``min(n_samples,
    clip(n_samples // 32, 32, 256))``: the whole set when it is small, at least
    32 steps per epoch when it is large.{batch_small}
{learning_rate}
learning_rate_init : float, default={learning_rate_init}
    Learning rate of the Adam optimizer.

alpha : float, default=1e-4
    Strength of the L2 penalty on the weights, scaled as in ``MLPClassifier``.

shuffle : bool, default=True
    Shuffle the training data every epoch. Ragged sequences are then grouped into
    batches of similar length.

early_stopping : {early_stopping_type}
    Hold out ``validation_fraction`` of the training data (stratified for
    classifiers) and stop when {watched} has not improved by ``tol`` for
    ``n_iter_no_change`` epochs; the best weights are restored. Without it,
    training stops when the training loss stops improving.{early_stopping_end}"""

_SCORING = """\
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

n_iter_no_change : int, default={n_iter_no_change}
    Epochs without an improvement of at least ``tol`` before training stops.
    For the RNN, LSTM and GRU estimators the stop also waits for
    ``10 * n_iter_no_change`` optimizer steps without improvement, so that on a
    small training set (one or two steps an epoch) the plateaus that recurrent
    networks often have (the loss at chance level for tens of steps) are not taken
    for convergence; on larger data the epochs decide.
    Without early stopping, an epoch whose training loss is far above the best
    (by more than a tenth of its fall from the first epoch's loss, on a log
    scale) does not count either: the loss is coming back down from a spike, or
    still noisy at a high rate, not converged.

tol : float, default=1e-4
    Minimum improvement of the loss (or validation score) that counts.

max_grad_norm : float or None, default=1.0
    Clip the gradient norm to this value at every step (the usual guard against
    exploding gradients in recurrent networks); None disables clipping."""


_SMALL_BATCHES = """ On 32 to 319 sequences the
    classifiers use a tenth of them (at least 8): about ten optimizer steps an
    epoch, as fully convolutional classifiers train on small sets, where batches
    of 32 left the loss of the small UCR development sets far from converged
    after 200 epochs. Below 32 the whole set is one batch, so that integer
    sample weights train exactly as repeated sequences do."""

_LEARNING_RATE = """
learning_rate : {{"constant", "cosine"}}, default="{default}"
    Learning rate schedule of a ``fit`` (MLP's parameter, for Adam here).
    ``"constant"``: ``learning_rate_init`` throughout. ``"cosine"``: from
    ``learning_rate_init`` down to 1% of it at the fit's last epoch (``max_iter``,
    or what ``"auto"`` chose) along half a cosine, so training ends with small,
    settled steps rather than wherever a constant rate left the weights. Every
    fit, warm-started ones too, starts again at ``learning_rate_init``;
    ``partial_fit`` trains at ``learning_rate_init``.
"""


def _training_params(*, max_iter="200", learning_rate_init="1e-3", n_iter_no_change="10",
                     scoring=True, early_stopping_auto=None, learning_rate=None,
                     small_batches=False):
    """The training parameters' paragraphs with an estimator's defaults; ``scoring``:
    whether early stopping may watch a scorer; ``early_stopping_auto``: what
    ``early_stopping="auto"`` means, when it is allowed; ``learning_rate``: the
    default of the learning rate schedule, for the estimators that have one;
    ``small_batches``: whether "auto" batches are a tenth of a small training set."""
    early_stopping_type = "bool, default=False"
    end = " Not used by\n    ``partial_fit``."
    if early_stopping_auto is not None:
        early_stopping_type = 'bool or "auto", default="auto"'
        end = f' ``"auto"``: {early_stopping_auto} Not used by ``partial_fit``.'
    start = _TRAINING_START.format(
        batch_small=_SMALL_BATCHES if small_batches else "",
        learning_rate="" if learning_rate is None
        else _LEARNING_RATE.format(default=learning_rate),
        learning_rate_init=learning_rate_init,
        early_stopping_type=early_stopping_type,
        watched="the validation score (see ``scoring``)" if scoring else "the validation loss",
        early_stopping_end=end,
    )
    first = {"auto": _MAX_ITER_AUTO, "text": _MAX_ITER_TEXT,
             "forecaster": _MAX_ITER_FORECASTER}.get(
        max_iter, _MAX_ITER.format(max_iter=max_iter))
    return "\n\n".join([first, start, *([_SCORING] if scoring else []),
                        _TRAINING_END.format(n_iter_no_change=n_iter_no_change)])


_RUNTIME = """\
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
    the validation loss and score with early stopping), after a line with the
    epochs ``max_iter="auto"`` chose. In a terminal the best
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

_N_ESTIMATORS = """\
n_estimators : int or "auto", default="auto"
    Number of networks of the model, averaged: each has weights of its own
    (its own initialisation) and learns from its own loss, on the same batches;
    ``predict_proba`` is the mean of their probabilities (an ensemble, as
    InceptionTime's five networks). Training costs what the networks cost alone,
    together (about ``n_estimators`` times one network's; more with
    ``conv_norm="mixed"``'s wider kernels), and ``max_iter="auto"`` prices it
    so. ``"auto"``: 4 where ``conv_channels="auto"`` takes the front end of
    small training sets of long series (at most 37,500 time steps), where one
    network's accuracy varied by up to 0.2 from seed to seed on the small
    development sets and 200 epochs of four networks still cost a fraction of
    the time budget (four, two of each normalisation with
    ``conv_norm="mixed"``, scored higher than five on ArrowHead and lower on
    PickupGestureWiimoteZ, in four fifths of the time); 1 elsewhere.
    ``n_estimators_`` gives the choice."""

_CLASS_WEIGHT = """\
class_weight : dict, "balanced" or None, default=None
    Weights of the classes in the loss, multiplied into ``sample_weight``;
    ``"balanced"`` uses ``n_samples / (n_classes * np.bincount(y))``."""

_COMMON_ATTRIBUTES = """\
net_ : skorch.NeuralNet
    The fitted skorch net that holds the torch module, optimizer and history.

n_features_in_ : int
    Set by a fit on 2D input only: the number of time steps (one column per step,
    the width scikit-learn checks). A fit on 3D or ragged input does not set it:
    scikit-learn's number of features is the width of a 2D table, which such input
    does not have (see ``n_features_per_step_``).

n_features_per_step_ : int
    Features per time step, fixed at fit; the number of steps may vary at predict.

feature_names_in_ : ndarray of shape (`n_features_in_`,)
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

_SEQUENCE_INPUT_NOTES = """\
Input may be a 2D array ``(n_samples, n_timesteps)`` of univariate sequences, a
3D array ``(n_samples, n_timesteps, n_features)``, or a list of sequences of
different lengths ``(T_i,)`` / ``(T_i, n_features)``. Inputs are standardised
per feature with (weighted) statistics of the training data inside the network
(estimated from 200,000 time steps drawn with a fixed seed when there are more).
Ragged batches are padded per batch after grouping by length, and every
sequence is read up to its own end, so results do not depend on the batch."""

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
    The fitted network's pooling: what ``pooling="auto"`` chose.

conv_norm_ : str or None
    The normalisation after the fitted network's convolutions: what
    ``conv_norm="auto"`` chose."""

_CLASSES_ATTR = """classes_ : ndarray of shape (n_classes,)
    Class labels seen in ``fit`` (or given to ``partial_fit``)."""

_CLASS_ATTRS = _CLASSES_ATTR + "\n\n" + _ARCH_ATTRS + """

n_estimators_ : int
    The number of networks of the fitted model: what ``n_estimators="auto"``
    chose."""

_REG_ATTRS = """n_outputs_ : int
    Number of targets.

""" + _ARCH_ATTRS

_EXAMPLES = {
    "classifier": """>>> import numpy as np
>>> from sklearn_seq import %(name)s
>>> rng = np.random.RandomState(0)
>>> X = rng.randn(60, 12, 2).astype("float32")
>>> y = (X[:, :, 0].mean(axis=1) > 0).astype(int)
>>> clf = %(name)s(hidden_size=8, max_iter=5, random_state=0).fit(X, y)
>>> clf.predict(X[:3]).shape
(3,)
>>> clf.predict_proba(X[:3]).shape
(3, 2)""",
    "regressor": """>>> import numpy as np
>>> from sklearn_seq import %(name)s
>>> rng = np.random.RandomState(0)
>>> X = rng.randn(60, 12)
>>> y = X[:, -3:].sum(axis=1)
>>> reg = %(name)s(hidden_size=8, max_iter=5, random_state=0).fit(X, y)
>>> reg.predict(X[:3]).shape
(3,)""",
}


# The RNN, LSTM and GRU estimators of a task differ only in their cell: their
# docstrings share everything but the first line and the See Also section.
_RECURRENT_SECTIONS = """\
%({task}_intro)s

Read more in the :ref:`User Guide <estimators>` (``docs/user_guide.md``).

Parameters
----------
%(recurrent_{task}_params)s

Attributes
----------
%(recurrent_{task}_attributes)s"""

_RECURRENT_NOTES = """\
Notes
-----
%(sequence_input_notes)s

Examples
--------
%({task}_example)s"""

# The taggers name the runtime parameters and the training record in one line each.
_RUNTIME_AS_LSTM_CLASSIFIER = """\
dtype, device, random_state, verbose, warm_start, checkpoint_dir, checkpoint_every
    As in :class:`~sklearn_seq.LSTMClassifier`."""

_TRAINING_RECORD = """\
n_iter_, loss_curve_, validation_scores_, best_validation_score_, best_loss_
    Training record, as MLP's."""

# The shared paragraphs, by the name a docstring gives them in ``%(name)s``.
docdict = {
    "training_params": _training_params(max_iter="auto"),
    "forecaster_training_params": _training_params(max_iter="forecaster"),
    "text_max_iter_30": _MAX_ITER_TEXT_30,
    "unsupervised_training_params": _training_params(max_iter="auto", scoring=False),
    "text_training_params": _training_params(
        max_iter="text", learning_rate_init="3e-3", n_iter_no_change="3",
        early_stopping_auto="on when\n    ``fit`` gets more than 10,000 documents (as "
        "``HistGradientBoostingClassifier``)\n    and every class has at least two (a "
        "stratified split needs them); on\n    2,000 to 10,000 tweets it stopped training "
        "while the accuracy still\n    improved."),
    "recurrent_classifier_params": "\n\n".join([
        _RECURRENT_ARCHITECTURE.replace("%(pooling_default)s", '"auto"')
        .replace("%(conv_norm_default)s", '"auto"')
        .replace("%(conv_branch_default)s", "True")
        .replace("%(conv_tuning)s", _CONV_TUNING_CLASSIFIER)
        .replace("%(conv_auto_wide)s", _CONV_AUTO_WIDE),
        _training_params(max_iter="auto", learning_rate="cosine", small_batches=True),
        _CLASS_WEIGHT,
        _N_ESTIMATORS,
        _RUNTIME]),
    "recurrent_regressor_params": "\n\n".join([
        _RECURRENT_ARCHITECTURE.replace("%(pooling_default)s", '"last"')
        .replace("%(conv_norm_default)s", "None")
        .replace("%(conv_branch_default)s", "False")
        .replace("%(conv_tuning)s", _CONV_TUNING_REGRESSOR)
        .replace("%(conv_auto_wide)s", ""),
        _training_params(max_iter="auto", learning_rate="constant"), _RUNTIME]),
    "class_weight": _CLASS_WEIGHT,
    "classifier_runtime_params": _CLASS_WEIGHT + "\n\n" + _RUNTIME,
    "classes_attribute": _CLASSES_ATTR,
    "runtime_params": _RUNTIME,
    "common_attributes": _COMMON_ATTRIBUTES,
    "sequence_input_notes": _SEQUENCE_INPUT_NOTES,
    "classifier_intro": _INTROS["classifier"],
    "regressor_intro": _INTROS["regressor"],
    "recurrent_classifier_attributes": _CLASS_ATTRS + "\n\n" + _COMMON_ATTRIBUTES,
    "recurrent_regressor_attributes": _REG_ATTRS + "\n\n" + _COMMON_ATTRIBUTES,
    "classifier_example": _EXAMPLES["classifier"],
    "regressor_example": _EXAMPLES["regressor"],
    "recurrent_classifier_sections": _RECURRENT_SECTIONS.format(task="classifier"),
    "recurrent_regressor_sections": _RECURRENT_SECTIONS.format(task="regressor"),
    "recurrent_classifier_notes": _RECURRENT_NOTES.format(task="classifier"),
    "recurrent_regressor_notes": _RECURRENT_NOTES.format(task="regressor"),
    "runtime_as_lstm_classifier": _RUNTIME_AS_LSTM_CLASSIFIER,
    "training_record": _TRAINING_RECORD,
    **METHOD_PARAGRAPHS,
}

_LINE = re.compile(r"^([ \t]*)%\((\w+)\)s[ \t]*$", re.MULTILINE)
_INLINE = re.compile(r"%\((\w+)\)s")


def _entry(entries, key):
    try:
        return entries[key]
    except KeyError:
        raise KeyError(f"the docstring names %({key})s, which is no entry of docdict "
                       "nor a value given to fill_doc") from None


def _fill(doc, entries):
    # Entries may name other entries: fill whole lines until none is left, then the
    # values inside lines.
    filled = None
    while filled != doc:
        filled, doc = doc, _LINE.sub(
            lambda m: textwrap.indent(_entry(entries, m[2]), m[1]), doc)
    return _INLINE.sub(lambda m: _entry(entries, m[1]), doc)


def fill_doc(obj=None, /, **values):
    """Decorator: fill the ``%(name)s`` placeholders of a docstring.

    A placeholder alone on its line becomes the :data:`docdict` entry of that name,
    indented as the line; inside a line, the value. ``values`` add entries for this
    class or function (such as ``cell="LSTM"``), and ``name`` is its name. On a
    class, the docstrings of the methods it defines are filled too (with ``name``
    the class's name).
    """

    def decorate(obj):
        entries = {**docdict, "name": obj.__name__, **values}
        if obj.__doc__:
            obj.__doc__ = _fill(obj.__doc__, entries)
        for attr in vars(obj).values() if isinstance(obj, type) else ():
            # a method, and the function inside a classmethod or inside
            # scikit-learn's available_if (which shows the function's docstring)
            for func in (attr, getattr(attr, "__func__", None), getattr(attr, "fn", None)):
                doc = getattr(func, "__doc__", None)
                if isinstance(doc, str) and "%(" in doc and not isinstance(func, type):
                    func.__doc__ = _fill(doc, entries)
        return obj

    return decorate if obj is None else decorate(obj)
