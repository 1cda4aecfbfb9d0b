"""Windows of time steps: a function for supervised ``(X, y)`` and a row-keeping transformer.

Both read strided views of the data (:func:`numpy.lib.stride_tricks.sliding_window_view`),
so windowing a long series costs memory for the series, not ``window`` times the series.
"""

from numbers import Integral

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from .._persistence import register
from ..utils._validation import container_type, polars_float_dtype, reject_polars_nulls
from ..utils._docstrings import fill_doc
from ._base import _SequenceTransformerMixin

__all__ = ["make_windows", "SequenceWindower"]

_FLOATS = [np.float64, np.float32]


def _columns(n_columns, names, selector, what):
    """Positions of ``selector`` (labels of a DataFrame, or integer positions)."""
    items = [selector] if np.isscalar(selector) else list(selector)
    positions = []
    for item in items:
        if names is not None and item in names:
            positions.append(names.index(item))
        elif isinstance(item, Integral) and not isinstance(item, bool):
            if not -n_columns <= item < n_columns:
                raise ValueError(
                    f"{what} column {item} is out of range for data with "
                    f"{n_columns} column(s)."
                )
            positions.append(int(item) % n_columns)
        else:
            raise ValueError(f"{what} column {item!r} is not a column of data.")
    return positions


def _is_number(dtype):
    """Whether a pandas/numpy or polars column dtype holds numbers or booleans."""
    if callable(getattr(dtype, "is_numeric", None)):  # polars
        return dtype.is_numeric() or str(dtype) == "Boolean"
    return pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)


def _used_columns(frame, positions):
    """The columns ``positions`` of a pandas or polars DataFrame, converted to floats.

    Only the columns used are converted, so text, dates or ids elsewhere in the
    table do not get in the way; a used column that is not numeric is named.
    """
    if len(positions) < frame.shape[1]:
        if container_type(frame) == "pandas.DataFrame":
            frame = frame.iloc[:, positions]
        else:
            frame = frame.select([frame.columns[i] for i in positions])
    try:
        return _as_table(frame, "data")[0]
    except (TypeError, ValueError) as error:
        text = [name for name, dtype in zip(frame.columns, frame.dtypes) if not _is_number(dtype)]
        if not text:
            raise
        raise ValueError(
            f"make_windows reads numbers, but column(s) {text} of data are not numeric. "
            "Select the columns to window with target= (and covariates=, "
            "future_covariates=), or encode those columns as numbers first."
        ) from error


def _as_table(data, name):
    """``data`` as a 2D float array (a view where possible) and its column names."""
    names = list(data.columns) if hasattr(data, "columns") else None
    reject_polars_nulls(data, name)
    values = check_array(
        data, ensure_2d=False, dtype=_float_dtypes(data), input_name=name,
        ensure_min_samples=1,
    )
    if values.ndim == 1:
        values = values[:, None]
    elif values.ndim != 2:
        raise ValueError(f"{name} must be 1D or 2D, got {values.ndim}D.")
    return values, names


def _float_dtypes(X):
    """The dtype argument of check_array: float32 polars data stays float32, as pandas does."""
    return polars_float_dtype(X) or _FLOATS


def _is_selector(obj):
    """Column labels/positions (str, int or a list or tuple of them) rather than values.

    Booleans are values (0/1 flags), not positions.
    """
    if obj is None:
        return False
    if isinstance(obj, (str, Integral)):
        return True
    return isinstance(obj, (list, tuple)) and all(
        isinstance(o, (str, Integral)) and not isinstance(o, bool) for o in obj
    )


def _covariate_columns(n_columns, names, selector, what):
    """Positions of the covariate columns ``selector``, refusing lists that cannot be positions.

    A list of integers selects columns. When its integers are not distinct columns of
    ``data`` (out of range, or repeated, as in a list of 0/1 flags with one value per
    step), the caller most likely meant values per step, which must be an array.
    """
    if not (isinstance(selector, (list, tuple)) and all(isinstance(o, Integral) for o in selector)):
        return _columns(n_columns, names, selector, what)
    labels = names if names is not None else []
    cols = None
    if all(o in labels or -n_columns <= o < n_columns for o in selector):
        cols = _columns(n_columns, names, selector, what)
    if cols is None or len(set(cols)) < len(cols):
        raise ValueError(
            f"{what} is a {type(selector).__name__} of {len(selector)} integers, which "
            "make_windows reads as column positions, but they are not distinct positions "
            f"among the {n_columns} column(s) of data. Pass values per step as an array "
            f"(np.asarray({what})), and select columns by name or by distinct positions."
        )
    return cols


# Over 60 lines for its numpydoc docstring (with doctests), not for its code.
@validate_params(
    {
        "data": ["array-like"],
        "window": [Interval(Integral, 1, None, closed="left")],
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
        "target": [str, Integral, list, tuple, None],
        "covariates": ["array-like", str, Integral, None],
        "future_covariates": ["array-like", str, Integral, None],
    },
    prefer_skip_nested_validation=True,
)
def make_windows(
    data,
    *,
    window,
    horizon=1,
    stride=1,
    target=None,
    covariates=None,
    future_covariates=None,
    groups=None,
):
    """Cut a series or a table of time steps into supervised windows ``(X, y)``.

    Each window holds ``window`` consecutive steps; its target is the next
    ``horizon`` values of the target column(s). Windows start every ``stride``
    steps, aligned so that the last window uses the most recent data::

        steps        0 1 2 3 4 5 6 7 8 9        window=4, horizon=2, stride=2
        window 0     [X X X X]y y
        window 1         [X X X X]y y
        window 2             [X X X X]y y   <- ends where the series ends

    Covariates known in the future (calendar, planned promotions) are read
    ``horizon`` steps ahead: at window position ``i`` (time ``s + i``) such a
    feature holds its value at time ``s + i + horizon``, so the last
    ``horizon`` positions of a window carry the values of the steps it predicts
    (all of them when ``window >= horizon``).

    ``X`` is a read-only strided view: no window is copied. When the target and
    the covariates come from several columns or arrays they are first stacked
    into one ``(n_steps, n_features)`` array (one copy of the data, not
    ``window`` copies).

    Parameters
    ----------
    data : array-like of shape (n_steps,) or (n_steps, n_columns)
        The series, or a table of time steps (a pandas or polars DataFrame or
        Series, or an array), oldest step first. Only the columns used as
        target and covariates are read, so the other columns of a DataFrame
        may hold anything (store names, dates).
    window : int
        Steps per window (>= 1).
    horizon : int, default=1
        Steps ahead predicted by each window (>= 1).
    stride : int, default=1
        Steps between the starts of consecutive windows.
    target : str, int or list of them, default=None
        Column(s) of ``data`` to predict (labels of a DataFrame, or integer
        positions). Their past values are the first features of ``X``. None
        takes every column of ``data`` not used as a covariate.
    covariates : str, int, list of them, or array-like, default=None
        Extra features known up to the end of each window: column(s) of ``data``,
        or an array-like of shape (n_steps,) or (n_steps, n_covariates) with
        one row per step of ``data``. A str, an int, or a list or tuple of them
        selects columns (labels of a DataFrame, or integer positions); values
        per step are given as an array, a pandas or polars Series or DataFrame,
        or a list of floats or booleans. A list of integers that are not
        distinct columns of ``data`` (such as 0/1 flags, one per step) is an
        error: pass such values as an array (``np.asarray(flags)``).
    future_covariates : str, int, list of them, or array-like, default=None
        Features known ``horizon`` steps ahead, given as for ``covariates``.
    groups : str, int or array-like of shape (n_steps,), default=None
        The series each row belongs to, for a long table of several series (a
        column of ``data``, or one id per row): windows are cut within each
        series (rows of a series in time order), never across two, and stacked
        in the order the series first appear. A series shorter than ``window +
        horizon`` gives no window. :class:`~sklearn_seq.forecasting.PanelForecaster`
        does this and more (dates, scaling per series, forecasts from the end).

    Returns
    -------
    X : ndarray of shape (n_windows, window, n_features)
        Features of each window, in the order target(s), covariates, future
        covariates, with ``n_windows = (n_steps - window - horizon) // stride + 1``.
        float32 data stays float32; other data becomes float64.
    y : ndarray of shape (n_windows,) or (n_windows, horizon * n_targets)
        1D for one target with ``horizon=1``; otherwise one column per step
        ahead (and per target: all targets of step 1, then of step 2, ...).

    Raises
    ------
    ValueError
        If the series is shorter than ``window + horizon``, holds NaN or
        infinity, if ``horizon < 1``, if covariates do not have one row per
        step of ``data``, or if a list of integers given as covariates does not
        name distinct columns of ``data``.

    See Also
    --------
    SequenceWindower : Keep one row per step, inside a Pipeline.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq.preprocessing import make_windows
    >>> series = np.arange(10, dtype=np.float32)
    >>> X, y = make_windows(series, window=3)
    >>> X.shape, y.shape
    ((7, 3, 1), (7,))
    >>> X[0, :, 0], y[0]
    (array([0., 1., 2.], dtype=float32), np.float32(3.0))
    >>> X, y = make_windows(series, window=4, horizon=2, stride=2)
    >>> X[:, 0, 0], y[-1]
    (array([0., 2., 4.], dtype=float32), array([8., 9.], dtype=float32))
    """
    if groups is not None:
        return _windows_per_series(
            data, groups, window=window, horizon=horizon, stride=stride, target=target,
            covariates=covariates, future_covariates=future_covariates,
        )
    targets, blocks = _targets_and_covariates(data, target, covariates, future_covariates)
    return _cut_windows(targets, blocks, window, horizon, stride)


def _targets_and_covariates(data, target, covariates, future_covariates):
    """``make_windows``'s columns: the target columns of ``data`` as a 2D array, and
    ``{"covariates": ..., "future_covariates": ...}`` (those given), one row per
    step; a covariate is columns of ``data`` (a selector) or an array of its own."""
    if container_type(data) in ("pandas.DataFrame", "polars.DataFrame"):
        names, values = list(data.columns), None
        n_columns = len(names)
    else:
        values, names = _as_table(data, "data")
        n_columns = values.shape[1]
    selected = {}
    for key, given in (("covariates", covariates), ("future_covariates", future_covariates)):
        if given is not None and _is_selector(given):
            selected[key] = _covariate_columns(n_columns, names, given, key)
    used = [c for cols in selected.values() for c in cols]
    if target is None:
        target_cols = [c for c in range(n_columns) if c not in used]
        if not target_cols:
            raise ValueError("No target column left: every column of data is a covariate.")
    else:
        target_cols = _columns(n_columns, names, target, "target")
    if values is None:
        # Convert only the columns used: the others may hold text or dates.
        keep = sorted(set(target_cols) | set(used))
        values = _used_columns(data, keep)
        new_position = dict(zip(keep, range(len(keep))))
        target_cols = [new_position[c] for c in target_cols]
        selected = {k: [new_position[c] for c in cols] for k, cols in selected.items()}
    n_steps = values.shape[0]
    blocks = {}
    for key, given in (("covariates", covariates), ("future_covariates", future_covariates)):
        if key in selected:
            blocks[key] = values[:, selected[key]]
        elif given is not None:
            block, _ = _as_table(given, key)
            if block.shape[0] != n_steps:
                raise ValueError(
                    f"{key} has {block.shape[0]} steps but data has {n_steps}; "
                    "covariates need one row per step of data."
                )
            blocks[key] = block
    if len(target_cols) == values.shape[1]:
        targets = values
    elif len(target_cols) == 1:
        targets = values[:, target_cols[0] : target_cols[0] + 1]
    else:
        targets = values[:, target_cols]
    return targets, blocks


def _cut_windows(targets, blocks, window, horizon, stride):
    """The windows ``(X, y)`` of ``make_windows`` from its target columns and
    covariate blocks."""
    n_steps = targets.shape[0]
    n_targets = targets.shape[1]
    if n_steps < window + horizon:
        raise ValueError(
            f"The series has {n_steps} steps, shorter than window + horizon = "
            f"{window} + {horizon}; no window fits."
        )
    dtype = np.result_type(targets, *blocks.values())
    usable = n_steps - horizon
    parts = [targets[:usable]]
    if "covariates" in blocks:
        parts.append(blocks["covariates"][:usable])
    if "future_covariates" in blocks:
        parts.append(blocks["future_covariates"][horizon:])
    feats = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1, dtype=dtype)

    n_windows = (n_steps - window - horizon) // stride + 1
    first = (n_steps - window - horizon) % stride
    X = sliding_window_view(feats, window, axis=0).transpose(0, 2, 1)[first::stride]
    future = targets[window + first :]
    if horizon == 1:
        y = future[::stride][:n_windows]
        y = y[:, 0] if n_targets == 1 else y
    else:
        y = sliding_window_view(future, horizon, axis=0).transpose(0, 2, 1)[::stride][:n_windows]
        y = y[..., 0] if n_targets == 1 else y.reshape(n_windows, horizon * n_targets)
    return X, y


def _windows_per_series(data, groups, **kwargs):
    """``make_windows`` within each series of a long table, stacked."""
    frame = container_type(data) in ("pandas.DataFrame", "polars.DataFrame")
    if frame and isinstance(groups, str):
        ids = np.asarray(data[groups])
        if container_type(data) == "polars.DataFrame":
            data = data.drop(groups)
        else:
            data = data.drop(columns=groups)
    else:
        ids = np.asarray(groups)
    if ids.ndim != 1 or len(ids) != len(data):
        raise ValueError(
            f"groups has {len(ids)} entries but data has {len(data)} rows; give one "
            "series id per row, or the name of the id column."
        )
    _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    per_row = {k: v for k, v in kwargs.items() if k in ("covariates", "future_covariates")
               and v is not None and not _is_selector(v)}
    Xs, ys = [], []
    for g in np.argsort(first):
        rows = np.flatnonzero(inverse == g)
        if len(rows) < kwargs["window"] + kwargs["horizon"]:
            continue
        part = data[rows] if not frame else (
            data.iloc[rows] if container_type(data) == "pandas.DataFrame" else data[rows]
        )
        sliced = {k: np.asarray(v)[rows] for k, v in per_row.items()}
        X, y = make_windows(part, **{**kwargs, **sliced})
        Xs.append(X)
        ys.append(y)
    if not Xs:
        raise ValueError(
            f"No series has window + horizon = {kwargs['window'] + kwargs['horizon']} "
            "steps; no window fits."
        )
    return np.concatenate(Xs), np.concatenate(ys)


@fill_doc
class SequenceWindower(_SequenceTransformerMixin, BaseEstimator):
    """Turn each row of a table of time steps into the window of steps ending there.

    A transformer that keeps the number of rows: row ``t`` of a table of time
    steps (oldest first) becomes the sequence of rows ``t - window + 1`` to
    ``t``, so a recurrent estimator that follows it in a
    :class:`~sklearn.pipeline.Pipeline` sees the recent history of every step
    and the pipeline is fitted on the table and a target aligned with its rows.
    The first ``window - 1`` rows have a shorter history, which ``padding``
    completes or leaves ragged::

        rows          a b c d e              window=3
        padding="edge"   row 0: a a a   row 1: a a b   row 2: a b c   row 4: c d e
        padding="zero"   row 0: 0 0 a   row 1: 0 a b   row 2: a b c
        padding="ragged" row 0: a       row 1: a b     row 2: a b c

    Rows are windowed within the data passed to each call: to predict the steps
    after the training data, pass them together with the last ``window - 1``
    steps before them and keep the predictions of the new rows.

    Parameters
    ----------
    window : int, default=12
        Steps per window, the current one included (tunable by grid search).
    padding : {"edge", "zero", "ragged"}, default="edge"
        How the first ``window - 1`` rows are completed: repeating the first row,
        with zeros, or not at all (a list of shorter sequences, which the
        recurrent estimators read exactly and whose attention gives no weight to
        missing steps).

    Attributes
    ----------
    n_features_in_ : int
        Columns of the table seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names when the table was a pandas or polars DataFrame with string
        names.

    See Also
    --------
    make_windows : Supervised windows and multi-step targets from a series.
    SequenceScaler : Standardise the windows per feature.

    Notes
    -----
    The output is a read-only strided view (``(n_rows, window, n_features)``)
    for ``"edge"`` and ``"zero"`` padding, and a list of views for
    ``"ragged"``. No DataFrame holds it, so the transformer has no
    ``set_output`` (a global ``transform_output="pandas"`` leaves it as is).
    Because a row's window depends on the rows before it, results depend on
    the order of the rows and on which rows are passed together.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq.preprocessing import SequenceWindower
    >>> steps = np.arange(10.0).reshape(5, 2)
    >>> windows = SequenceWindower(window=3).fit_transform(steps)
    >>> windows.shape
    (5, 3, 2)
    >>> windows[1, :, 0]
    array([0., 0., 2.])
    >>> [len(w) for w in SequenceWindower(window=3, padding="ragged").fit_transform(steps)]
    [1, 2, 3, 3, 3]
    """

    _parameter_constraints = {
        "window": [Interval(Integral, 1, None, closed="left")],
        "padding": [StrOptions({"edge", "zero", "ragged"})],
    }

    # What the safe format (sklearn_seq.save) stores, with the kind of each value.
    _fitted_attributes = {"n_features_in_": "int", "feature_names_in_": "array"}

    def __init__(self, window=12, *, padding="edge"):
        self.window = window
        self.padding = padding

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the number of columns of the table.

        Parameters
        ----------
        X : array-like of shape (n_steps, n_features)
            Table of time steps, oldest first.
        %(y_ignored)s

        %(returns_fitted_transformer)s
        """
        reject_polars_nulls(X)
        validate_data(self, X, dtype=_float_dtypes(X))
        return self

    def transform(self, X):
        """Window every row of the table.

        Parameters
        ----------
        X : array-like of shape (n_steps, n_features)
            Table of time steps, oldest first.

        Returns
        -------
        windows : ndarray of shape (n_steps, window, n_features) or list of ndarray
            Row ``t`` holds steps ``t - window + 1`` to ``t``; a list of
            ``(min(t + 1, window), n_features)`` arrays with ``padding="ragged"``.
        """
        check_is_fitted(self)
        reject_polars_nulls(X)
        X = validate_data(self, X, dtype=_float_dtypes(X), reset=False)
        w = self.window
        if self.padding == "ragged":
            return [X[max(0, t - w + 1) : t + 1] for t in range(X.shape[0])]
        if w > 1:
            fill = X[:1] if self.padding == "edge" else np.zeros_like(X[:1])
            X = np.concatenate([np.repeat(fill, w - 1, axis=0), X])
        return sliding_window_view(X, w, axis=0).transpose(0, 2, 1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


register(SequenceWindower)
