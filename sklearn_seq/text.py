"""Text classification: a bidirectional RNN over token embeddings of raw documents.

:class:`BiRNNTextClassifier` tokenises strings with scikit-learn's own analyzers,
maps tokens to ids through a fitted vocabulary and trains a recurrent network over
the id sequences. The ids travel as ragged :class:`Sequences`, so batching by
length and the exact handling of padding are the base estimator's.
"""

from collections.abc import Mapping
from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _num_samples, check_is_fitted, validate_data

from ._tasks import (
    SCORING_CONSTRAINTS,
    PooledNetworkMixin,
    RecurrentClassifierMixin,
    SelfAttentionMixin,
)
from .base import BaseRecurrent, _has_attention_pooling, _refuse_changes
from .utils._docstrings import fill_doc
from .utils._text import (
    SUBWORD_BUCKETS,
    TokenizerMixin,
    _text_documents,
    check_subword_ngram_range,
    embedding_matrix,
    token_sequences,
)

__all__ = ["BiRNNTextClassifier"]


# early_stopping="auto" holds out a validation split on more than this many
# documents (HistGradientBoosting's rule). On 2,000 to 10,000 tweets of the two
# English corpora the validation loss stopped training while the accuracy still
# improved, and without the split each scored higher (benchmarks/README.md,
# session 23); a larger corpus gets few epochs, and a split large enough to judge.
EARLY_STOPPING_MIN_SAMPLES = 10_000


@fill_doc
class BiRNNTextClassifier(SelfAttentionMixin, TokenizerMixin, PooledNetworkMixin,
                          RecurrentClassifierMixin, BaseRecurrent):
    """Bidirectional RNN classifier of raw text, trained with skorch.

    Tokenises each document with scikit-learn's analyzers, embeds the tokens, reads
    them with a bidirectional LSTM or GRU and classifies the pooled states. It fits
    inside a :class:`~sklearn.pipeline.Pipeline` or
    :class:`~sklearn.model_selection.GridSearchCV` where ``TfidfVectorizer`` +
    ``LogisticRegression`` would, and unlike a bag of words it reads word order.

    It also accepts numeric sequences (2D, 3D or ragged, as
    :class:`~sklearn_seq.LSTMClassifier` does) and then acts as a bidirectional RNN
    classifier over them.

    Read more in the :ref:`User Guide <estimators>` (``docs/user_guide.md``).

    Parameters
    ----------
    analyzer : {"auto", "word", "char", "char_wb"} or callable, default="auto"
        Split documents into words or characters, as in ``CountVectorizer`` (with
        single tokens: no n-grams, so the order of tokens is the text's). ``"auto"``
        reads characters (``"char"``) when most letters of the training documents are
        of scripts written without spaces between words (Chinese, Japanese, Thai,
        Lao, Khmer, Myanmar, Tibetan), words otherwise (and with a ``tokenizer``);
        ``analyzer_`` is the choice. A callable maps a string to its list of tokens.

    tokenizer : callable, default=None
        Overrides the word splitting of ``analyzer="word"``.

    token_pattern : str, default=r"(?u)\\b\\w+\\b"
        Regular expression of a word for ``analyzer="word"``. Unlike
        ``CountVectorizer`` one-letter words are kept ("I", "a", digits).

    lowercase : bool, default=True
        Lowercase strings before tokenising.

    min_df : int or float, default=3
        Keep tokens found in at least this many documents (a float: this share of
        the documents). Others are unknown tokens: a word seen once or twice says
        little, and its vector would only fit those documents (3 scored better than
        2 on English tweets and as well on the four-language speeches, see the
        README).

    max_features : int, default=None
        Keep only this many of the most frequent tokens.

    max_len : int or None, default=200
        Read at most the first ``max_len`` tokens of each document (None: all).
        Bounds the cost of long documents: the training time follows the number of
        tokens read.

    subword_ngram_range : tuple (min_n, max_n) or None, default=None
        Also embed each word from its character n-grams, ``min_n`` to ``max_n``
        characters long, of the word wrapped in ``<`` and ``>`` (fastText's subword
        vectors: the mean of the n-grams' vectors is added to the word's), so that
        unknown and rare words, misspellings and inflections get a vector from their
        spelling. A word keeps at most 16 n-grams, shortest first, hashed into
        32,768 buckets. Unused when the analyzer reads characters. E.g. ``(3, 5)``;
        about 1.5 to 2 times the training time of None.

    vocabulary : mapping or iterable of str, default=None
        A fixed vocabulary (token -> index from 0, or tokens in index order) instead
        of one fitted on the data; ``min_df`` and ``max_features`` are then unused.

    embedding_dim : int, default=64
        Width of the token embeddings.

    embeddings : array-like of shape (len(vocabulary), embedding_dim) or dict, default=None
        Pretrained vectors: an array aligned row for row with ``vocabulary``, or a
        dict ``{token: vector}`` matched to the fitted vocabulary. Tokens without a
        vector, and the unknown token, start from a random vector.

    freeze_embeddings : bool, default=False
        Keep the embeddings fixed during training (fine-tune them when False).

    bag_of_words : bool, default=True
        Add a linear model of the document's bag of words to the network's
        output, trained with it (the "wide" part of wide-and-deep models): each
        vocabulary token has one weight per class, starting at zero, and the mean
        of the weights of the document's tokens (a mean, so that long documents
        do not get larger outputs) is added to the class scores. Words then
        reach the classes directly as well as through the recurrent layer. It
        costs little; False trains the recurrent network alone. Unused on
        numeric sequences.

    cell : {"lstm", "gru", "transformer"}, default="lstm"
        The recurrent cell, or ``"transformer"``: self-attention layers over the
        tokens with sine and cosine position codes, as
        :class:`~sklearn_seq.TransformerClassifier`'s
        (:meth:`self_attention_weights` returns the weights).

    nhead : int, default=4
        Attention heads per layer with ``cell="transformer"`` (``hidden_size``
        must be a multiple of it); unused by a recurrent cell.

    hidden_size : int, default=64
        Hidden units per direction of each recurrent layer (with
        ``cell="transformer"``: the width of the model, torch's ``d_model``).

    num_layers : int, default=1
        Number of stacked recurrent (or transformer) layers.

    dropout : float, default=0.5
        Dropout on the embeddings, between stacked layers and before the output layer.

    bidirectional : bool, default=True
        Also read each document backwards, within its own length (with
        ``cell="transformer"``, False is causal attention: each token attends to
        itself and the tokens before it).

    pooling : {"max", "mean", "last", "attention"}, default="max"
        How the states over the tokens are summarised: their maximum or mean, the
        states at the two ends, or additive attention whose weights
        :meth:`token_attention` and :meth:`attention_weights` return.

    %(text_training_params)s

    label_smoothing : float, default=0.1
        Share of each document's target spread evenly over the classes in the
        training loss (``torch.nn.CrossEntropyLoss``'s ``label_smoothing``); 0:
        the plain cross-entropy. It keeps the network from growing ever more
        confident on the documents it gets wrong, which makes the validation
        loss that early stopping watches rise while the accuracy still
        improves: on 10,000 English tweets 0.1 raised the accuracy from 0.721 to
        0.730 over three seeds (0.435 to 0.431 on the 55-class speeches, within
        the seeds' spread; see the README).

    %(classifier_runtime_params)s

    Attributes
    ----------
    %(classes_attribute)s

    vocabulary_ : dict
        Token -> id (from 1) after fitting on text. Id 0 is every unknown token.
        Absent after fitting on numeric sequences.

    analyzer_ : str or callable
        The analyzer used: ``analyzer``, or for ``"auto"`` the one chosen at fit.
        Absent after fitting on numeric sequences.

    %(common_attributes)s

    See Also
    --------
    LSTMClassifier : Classifier of numeric sequences.
    sklearn.feature_extraction.text.TfidfVectorizer : Bag-of-words features.

    Notes
    -----
    Tokens outside the vocabulary map to id 0, which has its own trained vector, so
    their position still counts. A document with no token at all (an empty string,
    or only punctuation) is read as one unknown token: it gets a prediction (the
    model's guess for "nothing known") instead of an error. Pre-tokenised documents
    (lists of strings) are used as given, without lowercasing.
    ``n_features_in_``, ``n_features_per_step_`` and ``feature_names_in_`` describe
    numeric input and are not set by a fit on text.

    Documents of different lengths are batched with others of similar length and
    each is read up to its own last token, so predictions do not depend on the
    other documents in a batch and training time follows the number of tokens,
    not the longest document.

    Examples
    --------
    >>> from sklearn_seq.text import BiRNNTextClassifier
    >>> X = ["good film", "not good", "great fun", "bad film", "really bad", "dull"]
    >>> y = [1, 0, 1, 0, 0, 0]
    >>> clf = BiRNNTextClassifier(embedding_dim=8, hidden_size=8, max_iter=5, min_df=2,
    ...                           random_state=0).fit(X, y)
    >>> clf.predict(["good fun", ""]).shape
    (2,)
    >>> clf.vocabulary_  # words of at least two documents (min_df=2)
    {'bad': 1, 'film': 2, 'good': 3}
    >>> clf.analyzer_
    'word'
    """

    _parameter_constraints = {
        **BaseRecurrent._parameter_constraints,
        **PooledNetworkMixin._parameter_constraints,
        **SCORING_CONSTRAINTS,
        "analyzer": [StrOptions({"auto", "word", "char", "char_wb"}), callable],
        "tokenizer": [callable, None],
        "token_pattern": [str, None],
        "lowercase": ["boolean"],
        "min_df": [
            Interval(RealNotInt, 0, 1, closed="both"),
            Interval(Integral, 1, None, closed="left"),
        ],
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
        "max_len": [Interval(Integral, 1, None, closed="left"), None],
        "subword_ngram_range": [tuple, None],
        "vocabulary": [Mapping, "array-like", None],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "embeddings": [Mapping, "array-like", None],
        "freeze_embeddings": ["boolean"],
        "bag_of_words": ["boolean"],
        "cell": [StrOptions({"lstm", "gru", "transformer"})],
        **SelfAttentionMixin._parameter_constraints,
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    }
    # max_iter="auto": at most 20 epochs (see TrainingMixin._auto_most_epochs)
    _auto_most_epochs = 20
    _fitted_attributes = {
        **BaseRecurrent._fitted_attributes,
        **RecurrentClassifierMixin._fitted_attributes,
        "vocabulary_": "dict",
        "_tokenization": "dict",
        "_text_input": "bool",
        "analyzer_": "str",
    }
    # files saved before these parameters existed: a network without the
    # bag-of-words part, trained on the plain cross-entropy
    _params_before_they_existed = {"bag_of_words": False, "label_smoothing": 0.0}

    # Over 60 lines: scikit-learn wants each of the 39 parameters in the signature and
    # assigned as given.
    def __init__(
        self,
        *,
        analyzer="auto",
        tokenizer=None,
        token_pattern=r"(?u)\b\w+\b",
        lowercase=True,
        min_df=3,
        max_features=None,
        max_len=200,
        subword_ngram_range=None,
        vocabulary=None,
        embedding_dim=64,
        embeddings=None,
        freeze_embeddings=False,
        bag_of_words=True,
        cell="lstm",
        nhead=4,
        hidden_size=64,
        num_layers=1,
        dropout=0.5,
        bidirectional=True,
        pooling="max",
        max_iter="auto",
        batch_size="auto",
        learning_rate_init=3e-3,
        alpha=1e-4,
        shuffle=True,
        early_stopping="auto",
        scoring="loss",
        validation_fraction=0.1,
        n_iter_no_change=3,
        tol=1e-4,
        max_grad_norm=1.0,
        label_smoothing=0.1,
        class_weight=None,
        dtype="float32",
        device="cpu",
        random_state=None,
        verbose=0,
        warm_start=False,
        checkpoint_dir=None,
        checkpoint_every=10,
    ):
        super().__init__(
            hidden_size=hidden_size,
            num_layers=num_layers,
            dropout=dropout,
            max_iter=max_iter,
            batch_size=batch_size,
            learning_rate_init=learning_rate_init,
            alpha=alpha,
            shuffle=shuffle,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            max_grad_norm=max_grad_norm,
            dtype=dtype,
            device=device,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            checkpoint_dir=checkpoint_dir,
            checkpoint_every=checkpoint_every,
        )
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.scoring = scoring
        self.analyzer = analyzer
        self.tokenizer = tokenizer
        self.token_pattern = token_pattern
        self.lowercase = lowercase
        self.min_df = min_df
        self.max_features = max_features
        self.max_len = max_len
        self.subword_ngram_range = subword_ngram_range
        self.vocabulary = vocabulary
        self.embedding_dim = embedding_dim
        self.embeddings = embeddings
        self.freeze_embeddings = freeze_embeddings
        self.bag_of_words = bag_of_words
        self.cell = cell
        self.nhead = nhead
        self.label_smoothing = label_smoothing
        self.class_weight = class_weight

    # -- the network follows the input: text or numeric sequences -------------------

    @property
    def _module(self):
        if getattr(self, "_text_input", False):
            return "TextNetwork"
        return "TransformerNetwork" if self.cell == "transformer" else "SequenceNetwork"

    # -- input ---------------------------------------------------------------------

    def _check_same_network(self):
        super()._check_same_network()
        record = getattr(self, "_tokenization", None)
        if self._text_input and record is not None:
            _refuse_changes(record, self._tokenization_record(), "the vocabulary")

    def _to_sequences(self, tokens):
        """One step per token: its id, then (with subwords) its n-grams' buckets."""
        return token_sequences(tokens, self.vocabulary_, self._subword_range())

    def _validate_X(self, X, *, reset, y="no_validation"):
        name = type(self).__name__
        docs = _text_documents(X, name)
        if docs is None:
            if not reset and self._text_input:
                if hasattr(X, "__len__") and len(X) == 0:
                    raise ValueError(
                        f"Found 0 document(s) while a minimum of 1 is required by {name}."
                    )
                raise ValueError(
                    f"{name} was fitted on text; X holds numeric sequences. Pass "
                    "strings or lists of string tokens."
                )
            seqs = super()._validate_X(X, reset=reset, y=y)
            if reset:
                self._text_input = False
                self.__dict__.pop("vocabulary_", None)
                self.__dict__.pop("analyzer_", None)
                self.__dict__.pop("_tokenization", None)
            return seqs

        validate_data(self, X, y, skip_check_array=True, ensure_2d=False, reset=reset)
        if not docs:
            raise ValueError(
                f"Found 0 document(s) while a minimum of 1 is required by {name}."
            )
        if not reset and not self._text_input:
            raise ValueError(
                f"{name} was fitted on numeric sequences; X holds text. Refit on text "
                "to classify documents."
            )
        if reset:
            check_subword_ngram_range(self.subword_ngram_range)
            self._choose_analyzer(docs)
        tokens = self._tokenize(docs)
        if reset:
            self._fit_vocabulary(tokens)
            self._text_input = True
            self._tokenization = self._tokenization_record()
            for attr in ("n_features_in_", "n_features_per_step_", "_fit_ndim"):
                self.__dict__.pop(attr, None)
        return self._to_sequences(tokens)

    # -- the network ---------------------------------------------------------------

    def _criterion_kwargs(self):
        return {"label_smoothing": float(self.label_smoothing)}

    def _module_kwargs(self, seqs, sample_weight):
        if not self._text_input and self.cell == "transformer":
            return dict(
                input_size=seqs.n_features,
                n_outputs=self._n_outputs(),
                pooling=self.pooling,
                causal=not self.bidirectional,
                **self._encoder_kwargs(),
                **self._network_size(),
                **self._input_standardization(seqs, sample_weight),
            )
        if not self._text_input:
            return super()._module_kwargs(seqs, sample_weight)
        return dict(
            n_tokens=len(self.vocabulary_) + 1,
            embedding_dim=self.embedding_dim,
            n_outputs=self._n_outputs(),
            cell=self.cell,
            bidirectional=self.bidirectional,
            pooling=self.pooling,
            n_subword_buckets=0 if self._subword_range() is None else SUBWORD_BUCKETS,
            embeddings=None if self.embeddings is None else embedding_matrix(
                self.embeddings, self.vocabulary_, self.embedding_dim,
                aligned=self.vocabulary is not None),
            freeze_embeddings=self.freeze_embeddings,
            bag_of_words=self.bag_of_words,
            **self._encoder_kwargs(),
            **self._network_size(),
        )

    # -- public methods ------------------------------------------------------------

    def _fit(self, X, y, sample_weight=None, **kwargs):
        if self.early_stopping != "auto":
            return super()._fit(X, y, sample_weight, **kwargs)
        # The base reads a boolean: resolve "auto" for this fit only.
        _, counts = np.unique(np.asarray(y, dtype=object).astype(str), return_counts=True)
        self.early_stopping = bool(
            _num_samples(X) > EARLY_STOPPING_MIN_SAMPLES and counts.min() >= 2
        )
        try:
            return super()._fit(X, y, sample_weight, **kwargs)
        finally:
            self.early_stopping = "auto"

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the vocabulary and the network to documents ``X`` and labels ``y``.

        Parameters
        ----------
        X : array-like of str or of lists of str, or numeric sequences
            Documents: a list, 1D array or pandas Series of strings, or of lists
            of string tokens (used as given). Numeric 2D, 3D or ragged sequences
            are read as by :class:`~sklearn_seq.LSTMClassifier`.
        %(class_labels)s
        %(sample_weight)s

        %(returns_fitted)s
        """
        return self._fit(X, y, sample_weight)

    @available_if(_has_attention_pooling)
    def token_attention(self, X):
        """The tokens of each document with the attention weight the model gave them.

        Available with ``pooling="attention"`` on a model fitted on text.

        Parameters
        ----------
        X : array-like of str or of lists of str
            Documents, as for ``fit``.

        Returns
        -------
        attention : list of (list of str, ndarray) pairs
            Per document, its tokens as the model read them (after ``max_len``;
            an empty document reads as one unknown token ``""``) and their
            weights, which sum to 1.
        """
        check_is_fitted(self)
        if not self._text_input:
            raise ValueError("token_attention needs a model fitted on text.")
        docs = _text_documents(X, type(self).__name__)
        if docs is None:
            raise ValueError("token_attention needs documents (strings or token lists).")
        tokens = [t or [""] for t in self._tokenize(docs)]
        weights = self.attention_weights(X)
        return [(t, weights[i, : len(t)]) for i, t in enumerate(tokens)]
