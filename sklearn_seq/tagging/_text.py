"""A tagger of the tokens of documents."""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from .._tasks import SelfAttentionMixin
from ..utils import Sequences
from ..utils._text import _text_documents, text_input_tags
from ..utils._docstrings import fill_doc
from ._base import _Tagger

__all__ = ["BiRNNTextTagger"]


def _token_lists(X, name):
    """Documents as lists of tokens, read as the text classifier reads documents
    (a list, array, pandas or polars Series of strings or of token lists; bytes
    decoded as UTF-8); strings are split on whitespace."""
    if isinstance(X, np.ndarray) and X.ndim == 2 and X.shape[1] > 1 and X.dtype.kind in "US":
        # What numpy makes of token lists of equal length (np.array(tokenize(docs))):
        # one document per row. One column, or a table, is refused below.
        X = list(X)
    docs = _text_documents(X, name)
    if docs is None:
        if hasattr(X, "__len__") and len(X) == 0:
            raise ValueError(f"{name} got no documents.")
        raise ValueError(
            f"{name} reads a list of documents: each a list of tokens, or a string "
            "split on whitespace."
        )
    docs = [doc.split() if isinstance(doc, str) else doc for doc in docs]
    empty = next((i for i, tokens in enumerate(docs) if not tokens), None)
    if empty is not None:
        raise ValueError(f"Document {empty} has no tokens; drop empty documents first.")
    return docs


def _shape(token):
    """What a token looks like, whatever the word: the clues to a name, a number or
    punctuation that carry over to words never seen."""
    return (
        token[:1].isupper(), token.isupper(), token.islower(),
        any(c.isdigit() for c in token), not any(c.isalnum() for c in token),
        min(len(token), 20) / 10.0,
    )


_N_SHAPE = 6


@fill_doc
class BiRNNTextTagger(SelfAttentionMixin, _Tagger):
    """Bidirectional recurrent tagger of tokens: a tag for every token of a document.

    For named entities in contracts, tickets and reviews in any language
    (``B-PARTY``, ``I-PARTY``, ``O``, ... as BIO tags), part-of-speech tags, or
    any label per token. Each token is read as its id in a vocabulary learned in
    ``fit`` (tokens seen in fewer than ``min_df`` documents, and tokens never
    seen, share the unknown id) and its shape (capitalised, all caps, lower
    case, digits, punctuation, length), so names never seen in training are
    still recognised by how they look and where they stand. A bidirectional
    recurrent network (or, with ``cell="transformer"``, a transformer encoder)
    reads the whole document and a linear head tags every token.

    Parameters
    ----------
    embedding_dim : int, default=64
        Width of the token embeddings.
    min_df : int, default=2
        Tokens in fewer documents than this get the unknown id (so the model
        learns what an unseen token's context looks like).
    lowercase : bool, default=True
        Look tokens up in lower case (their shape keeps the case).
    cell : {"lstm", "gru", "transformer"}, default="lstm"
        The recurrent cell, or ``"transformer"``: self-attention layers over the
        tokens with sine and cosine position codes, as
        :class:`~sklearn_seq.tagging.TransformerTagger`'s (each token's state,
        unpooled, gives its tag; :meth:`self_attention_weights` returns the
        weights).
    nhead : int, default=4
        Attention heads per layer with ``cell="transformer"`` (``hidden_size``
        must be a multiple of it); unused by a recurrent cell.
    hidden_size : int, default=64
        Hidden units per direction (with ``cell="transformer"``: the width of
        the model, torch's ``d_model``).
    num_layers : int, default=1
        Stacked recurrent (or transformer) layers.
    dropout : float, default=0.2
        Dropout on the embeddings, between layers and before the head.
    bidirectional : bool, default=True
        Read each document in both directions (with ``cell="transformer"``,
        False is causal attention: each token attends to itself and the tokens
        before it).
    %(text_max_iter_30)s
    batch_size, learning_rate_init, alpha, shuffle, early_stopping, \
validation_fraction, n_iter_no_change, tol, max_grad_norm
        As in :class:`~sklearn_seq.BiRNNTextClassifier`; early stopping watches
        the validation loss.
    class_weight : dict, "balanced" or None, default=None
        Weight of each tag's tokens in the loss.
    %(runtime_as_lstm_classifier)s

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The tags.
    vocabulary_ : dict
        Token (lower-cased with ``lowercase``) to id; id 0 is the unknown token.
    class_weight_ : ndarray of shape (n_classes,) or None
        The weight of each tag's tokens.
    %(training_record)s

    See Also
    --------
    sklearn_seq.metrics.entity_f1_score : Entity-level F1 of BIO tags.
    LSTMTagger : Tags for numeric sequences.

    Examples
    --------
    >>> from sklearn_seq.tagging import BiRNNTextTagger
    >>> from sklearn_seq.metrics import entity_f1_score
    >>> from sklearn_seq.datasets import make_contract_entities
    >>> tokens, tags, _ = make_contract_entities(400, random_state=0)
    >>> tagger = BiRNNTextTagger(hidden_size=16, embedding_dim=16, max_iter=10,
    ...                          learning_rate_init=1e-2, random_state=0)
    >>> predicted = tagger.fit(tokens[:300], tags[:300]).predict(tokens[300:])
    >>> " ".join(f"{w}/{t}" for w, t in zip(tokens[300][3:10], predicted[0][3:10]))
    'pagará/O 54.547,50/B-AMOUNT €/I-AMOUNT a/O Kalober/B-PARTY S.L./I-PARTY por/O'
    >>> entity_f1_score(tags[300:], predicted) > 0.75
    True
    """

    # max_iter="auto": at most 30 epochs (see TrainingMixin._auto_most_epochs)
    _auto_most_epochs = 30
    _parameter_constraints = {
        **_Tagger._parameter_constraints,
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "min_df": [Interval(Integral, 1, None, closed="left")],
        "lowercase": ["boolean"],
        "cell": [StrOptions({"lstm", "gru", "transformer"})],
        **SelfAttentionMixin._parameter_constraints,
    }
    _fitted_attributes = {**_Tagger._fitted_attributes, "vocabulary_": "dict"}

    def __init__(
        self,
        *,
        embedding_dim=64,
        min_df=2,
        lowercase=True,
        cell="lstm",
        nhead=4,
        hidden_size=64,
        num_layers=1,
        dropout=0.2,
        bidirectional=True,
        max_iter="auto",
        batch_size="auto",
        learning_rate_init=3e-3,
        alpha=1e-4,
        shuffle=True,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        tol=1e-4,
        max_grad_norm=1.0,
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
            hidden_size=hidden_size, num_layers=num_layers, dropout=dropout,
            bidirectional=bidirectional, max_iter=max_iter, batch_size=batch_size,
            learning_rate_init=learning_rate_init, alpha=alpha, shuffle=shuffle,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol, max_grad_norm=max_grad_norm,
            class_weight=class_weight, dtype=dtype, device=device,
            random_state=random_state, verbose=verbose, warm_start=warm_start,
            checkpoint_dir=checkpoint_dir, checkpoint_every=checkpoint_every,
        )
        self.embedding_dim = embedding_dim
        self.min_df = min_df
        self.lowercase = lowercase
        self.cell = cell
        self.nhead = nhead

    def _validate_X(self, X, *, reset, y="no_validation"):
        docs = _token_lists(X, type(self).__name__)
        keys = [[t.lower() for t in d] if self.lowercase else d for d in docs]
        if reset:
            counts = {}
            for doc in keys:
                for token in set(doc):
                    counts[token] = counts.get(token, 0) + 1
            kept = sorted(t for t, c in counts.items() if c >= self.min_df)
            self.vocabulary_ = {t: i + 1 for i, t in enumerate(kept)}
            self.n_features_in_ = self.n_features_per_step_ = 1 + _N_SHAPE
            self._fit_ndim = 3
        vocab = self.vocabulary_
        dtype = np.float32 if self.dtype == "float32" else np.float64
        steps = np.array(
            [(vocab.get(k, 0), *_shape(t)) for doc, kd in zip(docs, keys)
             for t, k in zip(doc, kd)],
            dtype=dtype,
        )
        lengths = np.array([len(d) for d in docs], dtype=np.int64)
        return Sequences(steps, lengths)

    def _module_kwargs(self, seqs, sample_weight):
        return dict(
            input_size=1 + _N_SHAPE,
            n_outputs=self._n_outputs(),
            n_tokens=len(self.vocabulary_) + 1,
            embedding_dim=self.embedding_dim,
            cell=self.cell,
            bidirectional=self.bidirectional,
            **self._encoder_kwargs(),
            **self._network_size(),
        )

    def predict(self, X):
        """The tag of every token.

        Parameters
        ----------
        X : list of list of str, or list of str
            Documents: tokens, or strings split on whitespace.

        Returns
        -------
        tags : list of ndarray
            One array of tags per document, one tag per token.
        """
        out = super().predict(X)
        return list(out) if isinstance(out, np.ndarray) else out

    def predict_proba(self, X):
        """Probability of each tag for every token.

        Parameters
        ----------
        X : list of list of str, or list of str
            Documents.

        Returns
        -------
        proba : list of ndarray of shape (n_tokens_i, n_classes)
        """
        out = super().predict_proba(X)
        return list(out) if isinstance(out, np.ndarray) else out

    def __sklearn_tags__(self):
        return text_input_tags(super().__sklearn_tags__())
