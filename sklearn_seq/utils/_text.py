"""Text input: documents read from ``X``, and their tokens as id sequences.

:func:`_text_documents` tells documents (strings or lists of string tokens, in a
list, array, pandas or polars Series) from numeric input, with a message for text
in a shape the text classifier cannot read; the vocabulary and the pretrained
embeddings of :class:`~sklearn_seq.BiRNNTextClassifier` map tokens to ids and
vectors, and :func:`token_sequences` turns tokenised documents into ragged
:class:`~sklearn_seq.utils._sequences.Sequences` of ids (with their subword ids);
:class:`TokenizerMixin` holds the classifier's tokenisation and vocabulary fitting.
"""

import math
import numbers
import re
import zlib
from collections import Counter
from collections.abc import Mapping
from numbers import Integral

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from ._containers import container_type, is_missing_scalar
from ._polars import _leaf_dtype
from ._sequences import Sequences

# Id of tokens outside the vocabulary; the vocabulary's ids start at 1.
UNKNOWN_ID = 0


# Character n-grams of a word are hashed into this many buckets (fastText uses 2
# million; a few thousand distinct words per corpus need far fewer), and a word
# keeps at most this many of its n-grams, shortest first.
SUBWORD_BUCKETS = 2**15
MAX_SUBWORDS = 16


# Letters of scripts written without spaces between words: Thai, Lao, Tibetan,
# Myanmar, Khmer, Japanese kana, CJK ideographs (and their extensions).
_UNSPACED = re.compile(
    "[\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]"
)
_LETTER = re.compile(r"[^\W\d_]")


def _mostly_unspaced(docs):
    """Whether most letters of the string documents are of scripts without spaces."""
    letters = unspaced = 0
    for doc in docs:
        if isinstance(doc, str):
            letters += len(_LETTER.findall(doc))
            unspaced += len(_UNSPACED.findall(doc))
    return unspaced > letters / 2


def _subword_ids(token, ngram_range):
    """Bucket ids (from 1) of the character n-grams of ``<token>``, shortest first."""
    word = f"<{token}>"
    ids = []
    for n in range(ngram_range[0], ngram_range[1] + 1):
        for i in range(len(word) - n + 1):
            if len(ids) == MAX_SUBWORDS:
                return ids
            ids.append(zlib.crc32(word[i : i + n].encode("utf-8")) % SUBWORD_BUCKETS + 1)
    return ids


def _is_textual(x):
    if isinstance(x, (str, bytes)):
        return True
    if isinstance(x, (list, tuple)) or (isinstance(x, np.ndarray) and x.ndim == 1):
        return len(x) > 0 and isinstance(x[0], str)
    return False


def _describe(x):
    return f"{type(x).__name__} ({x!r:.30})"


def _text_documents(X, estimator_name):
    """The documents of ``X`` (strings or token lists), or None for numeric input.

    Raises a clear error for text in a shape or type the estimator cannot read.
    """
    items = _document_items(X, estimator_name)
    if items is None or not any(_is_textual(x) for x in items):
        return None
    return [_document(x, i) for i, x in enumerate(items)]


def _document_items(X, estimator_name):
    """The items of a one-dimensional ``X`` that may hold documents, else None."""
    if isinstance(X, (str, bytes)):
        raise ValueError(
            f"X is a single {type(X).__name__} ({X!r:.30}); {estimator_name} expects a "
            "sequence of documents. Pass a list, e.g. [text]."
        )
    if hasattr(X, "columns") or (isinstance(X, np.ndarray) and X.ndim > 1):
        arr = X if isinstance(X, np.ndarray) else np.asarray(X)
        if arr.ndim > 1 and arr.dtype.kind in "USO" and arr.size:
            first = arr.flat[0]
            if arr.dtype.kind in "US" or isinstance(first, (str, bytes)):
                raise ValueError(
                    f"X is a {arr.ndim}D array of strings (shape {arr.shape}); "
                    f"{estimator_name} expects a 1D sequence of documents. Pass one "
                    'text column, e.g. df["text"], or join the columns into one string.'
                )
        return None
    if isinstance(X, np.ndarray):
        if X.dtype.kind not in "USO":
            return None
        return X.tolist() if X.dtype.kind in "US" else list(X)
    if container_type(X) == "pandas.Series":
        return None if X.dtype.kind in "biufcmM" else list(X.to_numpy())
    if container_type(X) == "polars.Series":
        leaf = _leaf_dtype(X.dtype)
        if leaf.is_numeric() or leaf.is_temporal() or str(leaf) in ("Boolean", "Null"):
            return None
        return X.to_list()  # str, None for null, list for List(String)
    return X if isinstance(X, (list, tuple)) else None


def _document(x, i):
    """Document ``X[i]``: a string, or a list of string tokens."""
    if isinstance(x, str):
        return x
    if isinstance(x, bytes):
        try:
            return x.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(
                f"X[{i}] is bytes that are not valid UTF-8 text ({exc.reason} at "
                f"byte {exc.start}). Decode the documents with their real encoding "
                "and pass strings."
            ) from exc
    if is_missing_scalar(x):
        raise TypeError(
            f"X[{i}] is missing ({x!r}); every document must be a string or a list "
            'of string tokens. Fill missing text, e.g. with "", first.'
        )
    if isinstance(x, (list, tuple, np.ndarray)):
        tokens = list(np.ravel(x)) if isinstance(x, np.ndarray) else list(x)
        bad = next((t for t in tokens if not isinstance(t, str)), None)
        if bad is not None:
            raise TypeError(
                f"X[{i}] is a list of tokens holding {_describe(bad)}; tokens of "
                "pre-tokenised documents must be strings."
            )
        return [str(t) for t in tokens]
    if isinstance(x, numbers.Number):
        raise TypeError(
            f"X[{i}] is a number, {_describe(x)}, among strings; every document "
            "must be a string or a list of string tokens (numbers mixed with "
            "strings are not text)."
        )
    raise TypeError(
        f"X[{i}] is a {_describe(x)}; every document must be a string or a list "
        "of string tokens."
    )


def text_input_tags(tags):
    """``tags`` of an estimator that reads documents (strings or token lists) and
    no numeric arrays, as scikit-learn's text vectorizers declare theirs."""
    tags.input_tags.string = True
    tags.input_tags.two_d_array = False
    tags.input_tags.three_d_array = False
    return tags


def check_subword_ngram_range(r):
    """Refuse a ``subword_ngram_range`` that is not None or ``(min_n, max_n)``."""
    if r is not None and not (
        len(r) == 2
        and all(isinstance(n, Integral) and not isinstance(n, bool) for n in r)
        and 1 <= r[0] <= r[1]
    ):
        raise ValueError(
            f"subword_ngram_range={r!r} must be (min_n, max_n) with integers "
            "1 <= min_n <= max_n, e.g. (3, 5); or None for no subword channel."
        )


def fitted_vocabulary(tokens, min_df, max_features):
    """The sorted tokens of at least ``min_df`` documents (a float: that share of
    them), the ``max_features`` most frequent of them when it is not None."""
    counts, doc_counts = Counter(), Counter()
    for doc in tokens:
        counts.update(doc)
        doc_counts.update(set(doc))
    if not isinstance(min_df, Integral):
        min_df = math.ceil(min_df * len(tokens))
    kept = [t for t in counts if doc_counts[t] >= min_df]
    if max_features is not None:
        kept = sorted(kept, key=lambda t: (-counts[t], t))[:max_features]
    return sorted(kept)


def given_vocabulary(vocabulary):
    """A user's ``vocabulary`` (a mapping to indices, or tokens) as a list of tokens
    in row order."""
    if isinstance(vocabulary, Mapping):
        order = sorted(vocabulary.items(), key=lambda kv: kv[1])
        if [i for _, i in order] != list(range(len(order))):
            raise ValueError(
                "vocabulary must map its tokens to the indices 0 to "
                f"{len(order) - 1}, each used once."
            )
        return [t for t, _ in order]
    vocab = list(vocabulary)
    if len(set(vocab)) != len(vocab):
        raise ValueError("vocabulary holds a token more than once.")
    return vocab


def token_sequences(tokens, vocabulary, ngram_range):
    """Tokenised documents as Sequences of one step per token: its id in
    ``vocabulary`` (``UNKNOWN_ID`` outside it), then, with ``ngram_range``, the
    buckets of its character n-grams."""
    tokens = [doc or [None] for doc in tokens]  # an empty document: one unknown token
    lengths = np.fromiter((len(d) for d in tokens), dtype=np.int64, count=len(tokens))
    flat = [t for doc in tokens for t in doc]
    if ngram_range is None:
        values = np.fromiter(
            (vocabulary.get(t, UNKNOWN_ID) for t in flat), dtype=np.int64, count=len(flat)
        )
        return Sequences(values[:, None], lengths)
    # int32 keeps 17 columns a token small; each distinct token is hashed once.
    rows = {}
    for t in set(flat):
        grams = [] if t is None else _subword_ids(t, ngram_range)
        rows[t] = [vocabulary.get(t, UNKNOWN_ID)] + grams + [0] * (MAX_SUBWORDS - len(grams))
    values = np.array([rows[t] for t in flat], dtype=np.int32).reshape(
        len(flat), MAX_SUBWORDS + 1
    )
    return Sequences(values, lengths)


def embedding_matrix(embeddings, vocabulary, embedding_dim, *, aligned):
    """Initial embeddings, a row per id of ``vocabulary`` (token -> id from 1); NaN
    rows (tokens without a vector, the unknown token) stay random.

    ``embeddings``: a mapping token -> vector, or (``aligned``: the vocabulary was
    given, in row order) an array with a row per vocabulary token.
    """
    n_tokens = len(vocabulary) + 1
    if isinstance(embeddings, Mapping):
        vectors = {t: np.asarray(v, dtype=np.float64) for t, v in embeddings.items()}
        widths = {v.shape for v in vectors.values()}
        if len(widths) != 1 or len(next(iter(widths))) != 1:
            raise ValueError("embeddings must map tokens to 1D vectors of one length.")
        dim = next(iter(widths))[0]
        matrix = np.full((n_tokens, dim), np.nan)
        for token, i in vocabulary.items():
            if token in vectors:
                matrix[i] = vectors[token]
    else:
        if not aligned:
            raise ValueError(
                "an embeddings array needs the vocabulary it is aligned with: pass "
                "vocabulary= (row i of embeddings is the vector of token i), or "
                "pass embeddings as a dict {token: vector}."
            )
        given = np.asarray(embeddings, dtype=np.float64)
        if given.ndim != 2 or given.shape[0] != len(vocabulary):
            raise ValueError(
                f"embeddings has shape {given.shape}; expected "
                f"({len(vocabulary)}, embedding_dim), one row per vocabulary "
                "token."
            )
        dim = given.shape[1]
        matrix = np.full((n_tokens, dim), np.nan)
        matrix[1:] = given
    if dim != embedding_dim:
        raise ValueError(
            f"embeddings have width {dim} but embedding_dim={embedding_dim}; "
            "set embedding_dim to the width of the pretrained vectors."
        )
    if not np.isfinite(matrix[~np.isnan(matrix).all(axis=1)]).all():
        raise ValueError("embeddings contain NaN or infinite values.")
    return matrix


class TokenizerMixin:
    """How :class:`~sklearn_seq.BiRNNTextClassifier` turns documents into tokens and
    learns its vocabulary, from its ``analyzer``, ``tokenizer``, ``token_pattern``,
    ``lowercase``, ``max_len``, ``subword_ngram_range``, ``vocabulary``, ``min_df``
    and ``max_features`` parameters."""

    def build_analyzer(self):
        """Return the callable that turns one string into its list of tokens.

        It is scikit-learn's ``CountVectorizer(...).build_analyzer()`` for this
        estimator's ``analyzer`` (with ``"auto"``: the one chosen at fit,
        ``analyzer_``), ``tokenizer``, ``token_pattern`` and ``lowercase``.

        Returns
        -------
        analyzer : callable
            Maps a string to a list of string tokens.
        """
        analyzer = self.analyzer
        if analyzer == "auto":
            if not hasattr(self, "analyzer_"):
                raise ValueError(
                    "analyzer='auto' chooses 'word' or 'char' from the training "
                    "documents: fit first, or set analyzer='word' or 'char'."
                )
            analyzer = self.analyzer_
        return CountVectorizer(
            analyzer=analyzer,
            tokenizer=self.tokenizer,
            token_pattern=self.token_pattern,
            lowercase=self.lowercase,
        ).build_analyzer()

    def _choose_analyzer(self, docs):
        """Set ``analyzer_``: "auto" reads characters of scripts without spaces."""
        if self.analyzer != "auto":
            self.analyzer_ = self.analyzer
        elif self.tokenizer is not None:
            self.analyzer_ = "word"  # a word tokenizer is asked for
        else:
            self.analyzer_ = "char" if _mostly_unspaced(docs) else "word"

    def _subword_range(self):
        """The n-gram lengths of the subword channel, or None without one."""
        if self.subword_ngram_range is None or self.analyzer_ in ("char", "char_wb"):
            return None
        return self.subword_ngram_range

    def _tokenize(self, docs):
        analyze = self.build_analyzer()
        tokens = [doc if isinstance(doc, list) else analyze(doc) for doc in docs]
        if self.max_len is not None:
            tokens = [t[: self.max_len] for t in tokens]
        return tokens

    def _fit_vocabulary(self, tokens):
        if self.vocabulary is not None:
            vocab = given_vocabulary(self.vocabulary)
        else:
            vocab = fitted_vocabulary(tokens, self.min_df, self.max_features)
        if not vocab:
            raise ValueError(
                "empty vocabulary: the documents hold no token, or none that is in at "
                f"least min_df={self.min_df!r} documents; on a small corpus lower "
                "min_df (e.g. min_df=1), else check the analyzer and token_pattern."
            )
        self.vocabulary_ = {t: i + 1 for i, t in enumerate(vocab)}

    # Parameters that shape the tokens and the vocabulary learnt at the first fit.
    _TOKENIZATION = ("analyzer", "tokenizer", "token_pattern", "lowercase", "min_df",
                     "max_features", "max_len", "subword_ngram_range")

    def _tokenization_record(self):
        # Callables are recorded as a marker, tuples as text: the safe format
        # stores plain data only.
        def plain(value):
            if callable(value):
                return "<callable>"
            return str(value) if isinstance(value, tuple) else value

        return {key: plain(getattr(self, key)) for key in self._TOKENIZATION}
