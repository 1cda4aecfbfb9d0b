"""Panels of aeon and sktime, channels before time, read as sequences."""

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from .._persistence import register
from ..utils._validation import container_type
from ..utils._docstrings import fill_doc
from ._base import _SequenceTransformerMixin

__all__ = ["ChannelsLast"]


@fill_doc
class ChannelsLast(_SequenceTransformerMixin, BaseEstimator):
    """Read aeon and sktime panels ``(n_cases, n_channels, n_timepoints)`` as sequences.

    aeon and sktime hold a collection of time series with time on the last axis:
    a 3D array ``(n_cases, n_channels, n_timepoints)`` (their ``"numpy3D"``), or
    for series of unequal lengths a list of ``(n_channels, n_timepoints_i)``
    arrays (``"np-list"``). The estimators of this package read time on the
    middle axis, ``(n_samples, n_timesteps, n_features)``, so such a panel would
    be read as ``n_channels`` steps of ``n_timepoints`` features. This
    transformer swaps the last two axes; put it first in a pipeline::

        aeon/sktime X[i]            ChannelsLast()         sklearn_seq X[i]
        channel 0: a0 a1 a2 a3     ---------------->     step 0: a0 b0
        channel 1: b0 b1 b2 b3                           step 1: a1 b1
                                                         step 2: a2 b2
                                                         step 3: a3 b3

    2D input ``(n_cases, n_timepoints)`` (aeon's univariate ``"numpy2D"``) is
    already one sequence per row and is returned as a validated array.

    Attributes
    ----------
    n_features_in_ : int
        Channels seen in ``fit`` (time points for 2D input).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of a 2D pandas or polars DataFrame with string names.

    See Also
    --------
    numpy.swapaxes : The same for one array: ``np.swapaxes(X, 1, 2)``.

    Notes
    -----
    A pipeline such as ``make_pipeline(ChannelsLast(), GRUClassifier())`` takes
    aeon and sktime data as it comes, so it runs in their cross-validation and
    benchmarking tools, and in aeon's ``ClassifierPipeline`` (which declares itself
    univariate when its steps are scikit-learn estimators: pass multivariate panels
    to the scikit-learn pipeline directly). Panels held in pandas (sktime's
    ``"pd-multiindex"`` or ``"nested_univ"``) are refused with the conversion to
    call. Values pass unchanged: missing values are refused by the estimator that
    follows, which names the sequence and step.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq.preprocessing import ChannelsLast
    >>> panel = np.arange(24.0).reshape(3, 2, 4)  # 3 cases, 2 channels, 4 time points
    >>> ChannelsLast().fit_transform(panel).shape
    (3, 4, 2)
    >>> ChannelsLast().fit_transform(panel)[0]
    array([[0., 4.],
           [1., 5.],
           [2., 6.],
           [3., 7.]])

    In a pipeline, so that the classifier reads 4 steps of 2 features:

    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_seq import GRUClassifier
    >>> model = make_pipeline(ChannelsLast(), GRUClassifier(hidden_size=4, max_iter=2))
    >>> model.fit(panel, [0, 1, 0])[-1].n_features_per_step_
    2
    """

    _parameter_constraints = {}

    # What the safe format (sklearn_seq.save) stores, with the kind of each value.
    _fitted_attributes = {"n_features_in_": "int", "feature_names_in_": "array"}

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the number of channels.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or \
                (n_cases, n_timepoints), or list of (n_channels, n_timepoints_i) arrays
            The panel, time last.
        %(y_ignored)s

        %(returns_fitted_transformer)s
        """
        self._validate(X, reset=True)
        return self

    def transform(self, X):
        """Put the channels last: time becomes the step axis.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or \
                (n_cases, n_timepoints), or list of (n_channels, n_timepoints_i) arrays
            The panel, time last.

        Returns
        -------
        sequences : ndarray of shape (n_cases, n_timepoints, n_channels) or \
                (n_cases, n_timepoints), or list of (n_timepoints_i, n_channels) arrays
            The same values, time first (a copy for 3D input and lists).
        """
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        if isinstance(X, list):
            return [np.ascontiguousarray(x.T) for x in X]
        return np.ascontiguousarray(np.swapaxes(X, 1, 2)) if X.ndim == 3 else X

    def _validate(self, X, *, reset):
        _reject_pandas_panels(X)
        if isinstance(X, (list, tuple)) and len(X) and np.ndim(X[0]) == 2:
            # aeon's "np-list": one (n_channels, n_timepoints_i) array per case.
            X = [
                check_array(x, ensure_all_finite=False, input_name=f"X[{i}]")
                for i, x in enumerate(X)
            ]
            channels = {x.shape[0] for x in X}
            if len(channels) > 1:
                raise ValueError(
                    f"Every case needs the same number of channels; X holds cases with "
                    f"{sorted(channels)} channels."
                )
            n_channels = channels.pop()
            if reset:
                self.n_features_in_ = n_channels
                self.__dict__.pop("feature_names_in_", None)
            elif n_channels != self.n_features_in_:
                raise ValueError(
                    f"X has {n_channels} channels, but ChannelsLast is expecting "
                    f"{self.n_features_in_} channels as input."
                )
            return X
        return validate_data(self, X, allow_nd=True, ensure_all_finite=False, reset=reset)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = True  # passed on for the estimator to refuse
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _reject_pandas_panels(X):
    """sktime's pandas panels would pass as a 2D table: say how to convert them."""
    if container_type(X) != "pandas.DataFrame":
        return
    nested = X.shape[0] > 0 and X.shape[1] > 0 and hasattr(X.iloc[0, 0], "shape")
    if X.index.nlevels > 1 or nested:
        kind = '"pd-multiindex"' if X.index.nlevels > 1 else '"nested_univ"'
        raise TypeError(
            f"X is a pandas panel (sktime's {kind}); ChannelsLast reads numpy panels. "
            'Convert it first: sktime.datatypes.convert_to(X, to_type="numpy3D"), or '
            'aeon.utils.conversion.convert_collection(X, "numpy3D").'
        )


register(ChannelsLast)
