"""Text in, text out: an encoder-decoder over characters or words."""

import functools
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_consistent_length, check_is_fitted

from .._engine import net as engine
from .. import nn as seq_nn
from ..nn import EOS_ID
from ..utils import Sequences
from ..utils._docstrings import fill_doc
from ..utils._text import (
    _text_documents,
    fitted_vocabulary,
    text_input_tags,
    token_sequences,
)
from ._base import SEQ2SEQ_PARAGRAPHS, _BaseSeq2Seq, _check_y_items

__all__ = ["TextSeq2Seq"]

# Target ids below this are the padding, start and end symbols (nn.PAD_ID, BOS_ID,
# EOS_ID).
_FIRST_TOKEN_ID = EOS_ID + 1


def _split_chars(doc):
    return list(doc)


def _split_words(doc):
    return doc.split()


# The methods' X (``_ONLY``: the Parameters section of those that take X alone).
_SOURCE_TEXTS = """\
X : list of str or list of list of str
    Source texts."""
_SOURCE_TEXTS_ONLY = "Parameters\n----------\n%(source_texts)s"


@fill_doc(as_in="LSTMClassifier", **SEQ2SEQ_PARAGRAPHS, source_texts=_SOURCE_TEXTS,
          source_texts_only=_SOURCE_TEXTS_ONLY)
class TextSeq2Seq(_BaseSeq2Seq):
    """Encoder-decoder with attention from text to text (characters or words).

    Reads each source text with a recurrent encoder (bidirectional by default)
    and writes its output text token by token with a recurrent decoder that
    attends to the encoder's states (Luong's multiplicative attention). Training
    feeds the decoder the true previous token (teacher forcing); ``predict``
    feeds it its own, greedily (``beam_size=1``) or by beam search, until it
    writes the end token. For normalisation (dates, units, addresses),
    transliteration, spelling correction, short translations.

    Source tokens never seen in training (or in fewer than ``min_df``
    documents) share the unknown id; output tokens are those of the training
    targets.

    Parameters
    ----------
    analyzer : {"char", "word"}, default="char"
        Read strings as characters, or as words split on whitespace. Token
        lists (lists of strings) are read as they are; the output is written as
        the targets were given: strings (characters joined, words joined with a
        space) or token lists.
    embedding_dim : int, default=32
        Width of the source and target token embeddings.
    min_df : int, default=1
        Source tokens in fewer training documents share the unknown id.
    beam_size : int, default=1
        Hypotheses kept while decoding; 1 is greedy decoding. The best
        hypothesis has the highest log-probability (no length penalty).
    max_output_length : int, default=100
        Output tokens at most (decoding stops earlier at the end token).
    %(seq2seq_network_params)s
    dropout : float, default=0.0
        Dropout on the embeddings, between layers and before the output layer.
    bidirectional : bool, default=True
        Read each source text in both directions.
    %(text_max_iter_30)s
    %(seq2seq_training_params)s

    Attributes
    ----------
    vocabulary_ : dict
        Source token to id; id 0 is the unknown token.
    target_vocabulary_ : dict
        Output token to id; ids 0, 1 and 2 are padding, start and end.
    %(training_record)s

    See Also
    --------
    Seq2SeqRegressor : Numeric sequences in, numeric sequences out.
    sklearn_seq.plotting.AlignmentDisplay : Draws the attention of one sample.

    Examples
    --------
    >>> from sklearn_seq.seq2seq import TextSeq2Seq
    >>> X = ["abc", "cab", "bca", "aab", "cba", "bba"] * 20
    >>> y = [s[::-1] for s in X]  # each string reversed
    >>> model = TextSeq2Seq(hidden_size=16, max_iter=30, learning_rate_init=1e-2,
    ...                     random_state=0)
    >>> model.fit(X, y).predict(["abc", "bba"])
    ['cba', 'abb']
    >>> model.attention_weights(["abc"])[0].argmax(axis=1)  # output t reads input 2 - t
    array([2, 1, 0])
    """

    # max_iter="auto": at most 30 epochs (see TrainingMixin._auto_most_epochs)
    _auto_most_epochs = 30
    _parameter_constraints = {
        **_BaseSeq2Seq._parameter_constraints,
        "analyzer": [StrOptions({"char", "word"})],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "min_df": [Interval(Integral, 1, None, closed="left")],
        "beam_size": [Interval(Integral, 1, None, closed="left")],
        "max_output_length": [Interval(Integral, 1, None, closed="left")],
    }
    _fitted_attributes = {
        **_BaseSeq2Seq._fitted_attributes,
        "vocabulary_": "dict",
        "target_vocabulary_": "dict",
        "_target_strings": "bool",
    }

    def __init__(
        self,
        *,
        analyzer="char",
        embedding_dim=32,
        min_df=1,
        beam_size=1,
        max_output_length=100,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        dropout=0.0,
        bidirectional=True,
        max_iter="auto",
        batch_size="auto",
        learning_rate_init=3e-3,
        alpha=0.0,
        shuffle=True,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        tol=1e-4,
        max_grad_norm=1.0,
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
            max_iter=max_iter, batch_size=batch_size,
            learning_rate_init=learning_rate_init, alpha=alpha, shuffle=shuffle,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol, max_grad_norm=max_grad_norm,
            dtype=dtype, device=device, random_state=random_state, verbose=verbose,
            warm_start=warm_start, checkpoint_dir=checkpoint_dir,
            checkpoint_every=checkpoint_every,
        )
        self._init_shared(cell, bidirectional)
        self.analyzer = analyzer
        self.embedding_dim = embedding_dim
        self.min_df = min_df
        self.beam_size = beam_size
        self.max_output_length = max_output_length

    # -- tokens ----------------------------------------------------------------------

    def build_analyzer(self):
        """The function that splits a string into tokens (characters or words).

        Returns
        -------
        analyzer : callable
            ``str -> list of str``.
        """
        return _split_chars if self.analyzer == "char" else _split_words

    def _tokens(self, docs, what):
        analyze = self.build_analyzer()
        tokens = [analyze(d) if isinstance(d, str) else list(d) for d in docs]
        empty = next((i for i, t in enumerate(tokens) if not t), None)
        if empty is not None:
            raise ValueError(
                f"{what}[{empty}] is empty: every {'source' if what == 'X' else 'output'} "
                "sequence needs at least one token; drop empty pairs first."
            )
        return tokens

    def _validate_X(self, X, *, reset, y="no_validation"):
        name = type(self).__name__
        docs = _text_documents(X, name)
        if docs is None and hasattr(X, "__len__") and not len(X):
            docs = []  # an empty list: no documents, said below
        if docs is None:
            raise ValueError(
                f"{name} reads text: X is a list of strings or of token lists. For "
                "numeric sequences use Seq2SeqRegressor."
            )
        if not docs:
            raise ValueError(f"Found 0 document(s) while a minimum of 1 is required by {name}.")
        tokens = self._tokens(docs, "X")
        if reset:
            vocab = fitted_vocabulary(tokens, self.min_df, None)
            self.vocabulary_ = {t: i + 1 for i, t in enumerate(vocab)}
        return token_sequences(tokens, self.vocabulary_, None)

    def _encode_y(self, y, *, first_call, classes=None):
        items = _check_y_items(y)
        docs = _text_documents(items, type(self).__name__) if items else None
        if docs is None:
            raise ValueError(
                "y must hold an output text per sample: strings or lists of string tokens."
            )
        tokens = self._tokens(docs, "y")
        if first_call:
            vocab = fitted_vocabulary(tokens, 1, None)
            self.target_vocabulary_ = {t: i + _FIRST_TOKEN_ID for i, t in enumerate(vocab)}
            self._target_strings = isinstance(docs[0], str)
        unseen = sorted({t for doc in tokens for t in doc} - set(self.target_vocabulary_))
        if unseen:
            raise ValueError(
                f"y holds output tokens not seen in the first fit: {unseen[:10]}; the "
                "output vocabulary is fixed by the first fit."
            )
        ids = [[self.target_vocabulary_[t] for t in doc] + [EOS_ID] for doc in tokens]
        lengths = np.array([len(d) for d in ids], dtype=np.int64)
        return Sequences(np.concatenate(ids).astype(np.int64)[:, None], lengths)

    def _n_outputs(self):
        return len(self.target_vocabulary_) + _FIRST_TOKEN_ID

    _criterion = functools.partial(seq_nn.StepLoss, "cross_entropy")

    def _module_kwargs(self, seqs, sample_weight):
        return dict(
            input_size=1,
            n_outputs=self._n_outputs(),
            n_tokens=len(self.vocabulary_) + 1,
            n_target_tokens=self._n_outputs(),
            embedding_dim=self.embedding_dim,
            **self._network_kwargs(),
        )

    # -- prediction ------------------------------------------------------------------

    def _decoded(self, X):
        """Per sample: the output tokens, their attention ``(T_out, T_in)`` and the
        log-probability of the output (with its end token)."""
        seqs, rows = self._generate(
            X, max_length=self.max_output_length, beam_size=self.beam_size
        )
        words = np.empty(self._n_outputs(), dtype=object)
        for token, i in self.target_vocabulary_.items():
            words[i] = token
        source = self._source_lengths(seqs)
        decoded = []
        for (ids, score, attention), n_in in zip(rows, source):
            ends = np.flatnonzero(ids == EOS_ID)
            n_out = int(ends[0]) if len(ends) else len(ids)
            ids = ids[:n_out]
            decoded.append((list(words[ids]), attention[:n_out, :n_in], float(score)))
        return decoded

    def _as_output(self, tokens):
        if not self._target_strings:
            return tokens
        return "".join(tokens) if self.analyzer == "char" else " ".join(tokens)

    def predict(self, X):
        """The output text of each source text.

        %(source_texts_only)s

        Returns
        -------
        y : list of str, or list of list of str
            Strings when the training targets were strings, else token lists.
        """
        return [self._as_output(tokens) for tokens, _, _ in self._decoded(X)]

    def attention_weights(self, X):
        """How much each output token attended to each source token, per sample.

        %(source_texts_only)s

        Returns
        -------
        weights : list of ndarray of shape (n_output_tokens, n_source_tokens)
            Row ``t`` of a sample's matrix holds the attention of its ``t``-th
            predicted token (as :meth:`predict` writes them, the end token left
            out) over its source tokens; it sums to 1.
        """
        return [weights for _, weights, _ in self._decoded(X)]

    def log_likelihood(self, X, y):
        """Log-probability of each output text given its source, under the model.

        Parameters
        ----------
        %(source_texts)s
        y : list of str or list of list of str
            Output texts (of tokens seen in training), e.g. from :meth:`predict`.

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
            The sum of the log-probabilities of the output's tokens and its end
            token: the score that beam search maximises.
        """
        check_is_fitted(self)
        seqs = self._validate_X(X, reset=False)
        target = self._encode_y(y, first_call=False)
        check_consistent_length(np.empty((seqs.n_samples, 0)), target)
        rows = engine.per_sample(self.net_, seqs, "log_likelihood", target=target)
        return np.array([float(r[0]) for r in rows])

    def score(self, X, y, sample_weight=None):
        """Exact-match accuracy: the share of samples whose whole output is right.

        Parameters
        ----------
        %(source_texts)s
        y : list of str or list of list of str
            True output texts.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        predicted = self.predict(X)
        right = [list(p) == list(t) for p, t in zip(predicted, _check_y_items(y))]
        return float(np.average(right, weights=sample_weight))

    def __sklearn_tags__(self):
        return text_input_tags(super().__sklearn_tags__())
