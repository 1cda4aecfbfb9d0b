"""One quantile level of a fitted multi-quantile model, as a plain regressor.

Conformalized quantile regression (MAPIE's ``ConformalizedQuantileRegressor`` with
``prefit=True``) takes three fitted regressors, each predicting one level. A model
of this package fits all its levels at once (``quantiles=(0.05, 0.5, 0.95)``) and
returns them from ``predict_quantiles``; :class:`SingleQuantileRegressor` presents
one of them through ``predict``, without refitting or copying the model.
"""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import check_is_fitted


class SingleQuantileRegressor(RegressorMixin, BaseEstimator):
    """Predict one quantile level of a fitted multi-quantile model.

    A view of a fitted model (such as
    :class:`~sklearn_seq.forecasting.AttentionForecaster` with ``quantiles``) whose
    ``predict`` returns one level of the model's ``predict_quantiles``. As
    scikit-learn's :class:`~sklearn.frozen.FrozenEstimator`, it wraps a model that
    is already fitted: ``fit`` only checks it, and cloning keeps it. Three of them
    (the lower, upper and median levels) make the prefitted models of MAPIE's
    ``ConformalizedQuantileRegressor(prefit=True)``.

    Read more in the :ref:`User Guide <conformal>` (``docs/user_guide.md``).

    Parameters
    ----------
    estimator : estimator instance
        A fitted model with ``quantiles_`` and ``predict_quantiles``.

    quantile : float, default=0.5
        The level to predict; one of ``estimator.quantiles_``.

    Attributes
    ----------
    n_features_in_ : int
        The estimator's, when it has one (a fit on 2D input).

    See Also
    --------
    sklearn_seq.forecasting.AttentionForecaster : Forecasts several quantile levels.
    sklearn.frozen.FrozenEstimator : A fitted model that ``fit`` leaves as it is.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq.forecasting import AttentionForecaster, SingleQuantileRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 6, 2)).astype(np.float32)
    >>> y = X[:, :, 0].sum(axis=1) + rng.normal(size=200)
    >>> model = AttentionForecaster(hidden_size=4, max_iter=3, quantiles=(0.05, 0.5, 0.95),
    ...                             random_state=0).fit(X, y)
    >>> low = SingleQuantileRegressor(model, quantile=0.05)
    >>> bool(np.allclose(low.predict(X[:3]), model.predict_quantiles(X[:3])[:, 0]))
    True
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["predict_quantiles"])],
        "quantile": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(self, estimator, *, quantile=0.5):
        self.estimator = estimator
        self.quantile = quantile

    def __sklearn_clone__(self):
        # The wrapped model is fitted: a clone predicts with the same model.
        return type(self)(self.estimator, quantile=self.quantile)

    def __sklearn_is_fitted__(self):
        try:
            check_is_fitted(self.estimator)
        except NotFittedError:
            return False
        return True

    @property
    def n_features_in_(self):
        # Raises AttributeError when the estimator has none (a fit on 3D input).
        return self.estimator.n_features_in_

    def _level_index(self):
        """Position of ``quantile`` in the fitted model's levels."""
        check_is_fitted(self.estimator)
        levels = getattr(self.estimator, "quantiles_", None)
        name = type(self.estimator).__name__
        if levels is None:
            raise ValueError(
                f"{name} was fitted without quantile levels; fit it with quantiles, "
                f"e.g. quantiles=(0.05, 0.5, 0.95), to predict quantile={self.quantile}."
            )
        matches = np.flatnonzero(np.isclose(levels, self.quantile, rtol=0, atol=1e-9))
        if not matches.size:
            raise ValueError(
                f"{name} was fitted for the quantile levels {list(map(float, levels))}, "
                f"not {self.quantile}; refit it with that level among its quantiles."
            )
        return int(matches[0])

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X=None, y=None):
        """Check the wrapped model; it is not refitted.

        Parameters
        ----------
        X, y : object
            Ignored: the wrapped model is fitted already.

        Returns
        -------
        self : object
            This estimator.
        """
        self._level_index()
        return self

    def predict(self, X):
        """Predict the ``quantile`` level.

        Parameters
        ----------
        X : array-like or list of array-like
            Input, as for the wrapped model's ``predict``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            That level of ``estimator.predict_quantiles(X)``, shaped as the wrapped
            model's ``predict``.
        """
        self._validate_params()
        index = self._level_index()
        return self.estimator.predict_quantiles(X)[..., index]
