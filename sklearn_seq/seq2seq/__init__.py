"""Encoder-decoders with attention: an output sequence of its own length for each
input sequence (sequence to sequence)."""

from ._numeric import Seq2SeqRegressor
from ._text import TextSeq2Seq

__all__ = ["Seq2SeqRegressor", "TextSeq2Seq"]
