"""Standardisation of sequences per feature, over all steps of all samples."""

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, _fit_context
from sklearn.utils._set_output import _get_container_adapter
from sklearn.utils.validation import check_is_fitted, validate_data

from .._persistence import register
from ..utils._validation import (
    Sequences,
    _is_polars,
    check_sequences,
    polars_float_dtype,
    set_n_features_in,
)

__all__ = ["SequenceScaler"]


def _float_dtype(X):
    """float32 when the input is float32 (the fast path), float64 otherwise."""
    if _is_polars(X):
        return polars_float_dtype(X) or np.float64
    if hasattr(X, "dtypes") and hasattr(X.dtypes, "__iter__"):
        kinds = {np.dtype(d) for d in X.dtypes if hasattr(d, "kind")}
        return np.float32 if kinds == {np.dtype(np.float32)} else np.float64
    if isinstance(X, (list, tuple)) and len(X):
        X = X[0]
    dtype = getattr(X, "dtype", None)
    return np.float32 if dtype == np.float32 else np.float64


class SequenceScaler(
    OneToOneFeatureMixin, TransformerMixin, BaseEstimator, auto_wrap_output_keys=None
):
    """Standardise sequences per feature, over every step of every sample.

    scikit-learn's scalers take 2D tables; this one takes the sequence layouts
    of the package (2D univariate, 3D, ragged lists) and returns the same
    layout. Feature ``j`` is scaled with the mean and standard deviation of all
    its values, over all time steps and all samples::

        X[i, t, j]  ->  (X[i, t, j] - mean_[j]) / scale_[j]

    Parameters
    ----------
    with_mean : bool, default=True
        Subtract the mean of each feature.
    with_std : bool, default=True
        Divide by the standard deviation of each feature (1 where it is 0).

    Attributes
    ----------
    mean_ : ndarray of shape (`n_features_per_step_`,)
        Mean of each feature (zeros with ``with_mean=False``).
    scale_ : ndarray of shape (`n_features_per_step_`,)
        Standard deviation of each feature (ones with ``with_std=False``).
    n_features_in_ : int
        Set by a fit on 2D input only: the number of time steps (one column
        per step). A fit on 3D or ragged input does not set it (see
        ``n_features_per_step_``).
    n_features_per_step_ : int
        Features per time step.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names when ``X`` was a pandas or polars DataFrame with string
        column names.

    See Also
    --------
    SequenceWindower : Windows of a table of steps, to scale with this.
    sklearn.preprocessing.StandardScaler : The same for 2D tables, per column.

    Notes
    -----
    2D input ``(n_samples, n_timesteps)`` is read as univariate sequences, so
    all its columns share one mean and scale; only there is the output a table,
    with pandas or polars output through ``set_output(transform="pandas")`` (or
    ``"polars"``, or scikit-learn's global ``transform_output``). 3D input comes
    back as a 3D array and ragged input as a list of arrays whatever the output
    configuration, since no DataFrame holds them. float32 input stays float32,
    other input becomes float64.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq.preprocessing import SequenceScaler
    >>> X = np.array([[[1.0, 10.0], [3.0, 30.0]], [[5.0, 50.0], [7.0, 70.0]]])
    >>> scaler = SequenceScaler().fit(X)
    >>> scaler.mean_, scaler.scale_.round(3)
    (array([ 4., 40.]), array([ 2.236, 22.361]))
    >>> Xt = scaler.transform(X)
    >>> np.allclose(scaler.inverse_transform(Xt), X)
    True
    >>> ragged = [np.array([1.0, 2.0]), np.array([3.0])]
    >>> [s.ravel().round(3) for s in SequenceScaler().fit_transform(ragged)]
    [array([-1.225,  0.   ]), array([1.225])]
    """

    _parameter_constraints = {"with_mean": ["boolean"], "with_std": ["boolean"]}

    # What the safe format (sklearn_seq.save) stores, with the kind of each value.
    _fitted_attributes = {
        "mean_": "array",
        "scale_": "array",
        "n_features_in_": "int",
        "n_features_per_step_": "int",
        "_fit_ndim": "int",
        "feature_names_in_": "array",
    }

    def __init__(self, *, with_mean=True, with_std=True):
        self.with_mean = with_mean
        self.with_std = with_std

    def _check(self, X, *, reset):
        validate_data(self, X, skip_check_array=True, ensure_2d=False, reset=reset)
        seqs, ndim = check_sequences(
            X, dtype=_float_dtype(X), estimator_name=type(self).__name__
        )
        if reset:
            set_n_features_in(self, seqs, ndim)
            return seqs, ndim
        width = seqs.values.shape[1] if ndim == 2 and self._fit_ndim == 2 else None
        if width is not None and width != self.n_features_in_:
            raise ValueError(
                f"X has {width} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        if seqs.n_features != self.n_features_per_step_:
            raise ValueError(
                f"X has {seqs.n_features} features per time step, but "
                f"{type(self).__name__} is expecting {self.n_features_per_step_} "
                "features per step as input."
            )
        return seqs, ndim

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the mean and standard deviation of each feature.

        Parameters
        ----------
        X : array-like or list of array-like
            2D ``(n_samples, n_timesteps)``, 3D ``(n_samples, n_timesteps,
            n_features)``, or a list of ``(T_i,)`` / ``(T_i, n_features)`` arrays.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted scaler.
        """
        seqs, _ = self._check(X, reset=True)
        steps = seqs.step_values().astype(np.float64)
        n = steps.shape[1]
        self.mean_ = steps.mean(axis=0) if self.with_mean else np.zeros(n)
        if self.with_std:
            scale = steps.std(axis=0)
            scale[~(scale > 1e-12 * np.maximum(1.0, np.abs(self.mean_)))] = 1.0
            self.scale_ = scale
        else:
            self.scale_ = np.ones(n)
        return self

    def _apply(self, X, inverse):
        check_is_fitted(self)
        seqs, ndim = self._check(X, reset=False)
        mean = self.mean_.astype(seqs.dtype)
        scale = self.scale_.astype(seqs.dtype)
        values = seqs.values * scale + mean if inverse else (seqs.values - mean) / scale
        if seqs.is_ragged:
            return Sequences(values, seqs.lengths).to_list()
        return values[..., 0] if ndim == 2 else values

    def get_feature_names_out(self, input_features=None):
        """Output feature names: the input's columns after a 2D fit, one name per
        feature of a step (``x0``, ``x1``, ...) after a 3D or ragged fit.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names, checked against those seen at fit.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        if self._fit_ndim == 2:
            return super().get_feature_names_out(input_features)
        if input_features is not None:
            if len(input_features) != self.n_features_per_step_:
                raise ValueError(
                    f"input_features should have length {self.n_features_per_step_}, "
                    "the features per step seen at fit."
                )
            return np.asarray(input_features, dtype=object)
        return np.asarray([f"x{i}" for i in range(self.n_features_per_step_)], dtype=object)

    def transform(self, X):
        """Standardise ``X``.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences, as for ``fit``.

        Returns
        -------
        X_scaled : ndarray, DataFrame or list of ndarray
            The same layout as ``X``: 2D (a pandas or polars DataFrame when
            ``set_output`` or the global configuration asks for one), 3D, or a
            list of ``(T_i, n_features)`` arrays.
        """
        X_scaled = self._apply(X, inverse=False)
        if isinstance(X_scaled, list) or X_scaled.ndim != 2:
            return X_scaled
        # scikit-learn's automatic wrapping is off for this class (it would wrap 3D
        # and ragged output too): 2D output is wrapped here, as it would have been.
        adapter = _get_container_adapter("transform", self)
        if adapter is None:
            return X_scaled
        return adapter.create_container(X_scaled, X, columns=self.get_feature_names_out)

    def set_output(self, *, transform=None):
        """Set the output container of ``transform`` and ``fit_transform``.

        Only 2D output (from 2D input) is a table; 3D and ragged output keep
        their layout under any configuration.

        Parameters
        ----------
        transform : {"default", "pandas", "polars"}, default=None
            Container of 2D output:

            - ``"default"``: the default output of the transformer (an ndarray);
            - ``"pandas"``: a pandas DataFrame;
            - ``"polars"``: a polars DataFrame;
            - None: the configuration is unchanged.

        Returns
        -------
        self : estimator instance
            The estimator.
        """
        if transform is None:
            return self
        if not hasattr(self, "_sklearn_output_config"):
            self._sklearn_output_config = {}
        self._sklearn_output_config["transform"] = transform
        return self

    def inverse_transform(self, X):
        """Map standardised sequences back to the original units.

        Parameters
        ----------
        X : array-like or list of array-like
            Scaled sequences, as returned by ``transform``.

        Returns
        -------
        X_original : ndarray or list of ndarray
            The same layout as ``X``.
        """
        return self._apply(X, inverse=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


register(SequenceScaler)
