"""What the transformers whose output is sequences share."""

from sklearn.utils import TransformerTags


class _SequenceTransformerMixin:
    """scikit-learn's ``TransformerMixin`` without ``set_output``.

    ``TransformerMixin`` brings ``set_output``, which wraps 2D output in a
    DataFrame. The output of these transformers is 3D or a list of ragged
    sequences, which no DataFrame holds, so the method would be listed by
    ``help()`` and raise ``AttributeError`` when called. This mixin keeps the
    rest: the transformer tags and ``fit_transform``.
    """

    def fit_transform(self, X, y=None, **fit_params):
        """Fit to ``X`` (and ``y``), then transform ``X``.

        Parameters
        ----------
        X : object
            The input of ``fit`` and ``transform``.
        y : object, default=None
            The targets, for transformers whose ``fit`` reads them.
        **fit_params : dict
            Passed to ``fit``.

        Returns
        -------
        X_new : ndarray or list of ndarray
            The output of ``transform(X)``.
        """
        return self.fit(X, y, **fit_params).transform(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags = TransformerTags()
        return tags
