"""Paragraphs of the methods' docstrings (``fit``, ``predict``, ...) and of the data
set generators, written once: entries of :data:`~sklearn_seq.utils._docstrings.docdict`,
filled where the class that defines the method (or the function) is decorated with
:func:`~sklearn_seq.utils._docstrings.fill_doc`.
"""

_X_AS = """\
X : array-like or list of array-like
    {what}, as for ``{method}``."""

METHOD_PARAGRAPHS = {
    "X_fit": """\
X : array-like or list of array-like
    2D ``(n_samples, n_timesteps)``, 3D ``(n_samples, n_timesteps,
    n_features)``, or a list of ``(T_i,)`` / ``(T_i, n_features)`` arrays.""",
    "X_as_fit": _X_AS.format(what="Sequences", method="fit"),
    "X_as_predict": _X_AS.format(what="Sequences", method="predict"),
    "windows_as_fit": _X_AS.format(what="Windows", method="fit"),
    "windows_as_predict": _X_AS.format(what="Windows", method="predict"),
    # the Parameters section of the methods that take X alone
    "X_only_as_fit": "Parameters\n----------\n%(X_as_fit)s",
    "X_only_as_predict": "Parameters\n----------\n%(X_as_predict)s",
    "windows_only_as_fit": "Parameters\n----------\n%(windows_as_fit)s",
    "windows_only_as_predict": "Parameters\n----------\n%(windows_as_predict)s",
    "class_labels": """\
y : array-like of shape (n_samples,)
    Class labels (strings, integers or booleans).""",
    "regression_targets": """\
y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    Targets.""",
    # score of the taggers (``%(step_targets)s``: "labels" or "values")
    "step_score_params": """\
Parameters
----------
X : array-like or list of array-like
    Sequences.
y : list of array-like
    True %(step_targets)s per step.
sample_weight : array-like of shape (n_samples,), default=None

Returns
-------
score : float""",
    "sample_weight": """\
sample_weight : array-like of shape (n_samples,), default=None
    Weights of the samples in the loss.""",
    "y_ignored": """\
y : None
    Ignored.""",
    "returns_fitted": """\
Returns
-------
self : object
    The fitted estimator.""",
    "returns_updated": """\
Returns
-------
self : object
    The updated estimator.""",
    "returns_fitted_transformer": """\
Returns
-------
self : object
    The fitted transformer.""",
    # the data set generators'
    "random_state_seed": """\
random_state : int, RandomState instance or None, default=None
    Seed.""",
    # the Display classes' (``%(name)s``: the class)
    "ax": """\
ax : matplotlib Axes, default=None
    Axes to draw on; a new figure when None.""",
    "cmap": """\
cmap : str, default="viridis"
    Colour map of the heat map.""",
    "returns_display": """\
Returns
-------
display : %(name)s
    Drawn: ``ax_`` and ``figure_`` hold the plot.""",
    "returns_heat_map_display": """\
Returns
-------
display : %(name)s
    Drawn: ``ax_``, ``figure_`` and ``image_`` hold the plot.""",
    "returns_drawn_self": """\
Returns
-------
self : %(name)s""",
}
