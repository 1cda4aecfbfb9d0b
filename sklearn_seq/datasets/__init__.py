"""Datasets shipped with the package and generators of sequence tasks."""

from ._anomaly import make_sensor_stream
from ._events import make_card_transactions, make_customer_events
from ._forecasting import load_airline, make_demand, make_store_demand
from ._sequences import (
    make_long_range_classification,
    make_price_series,
    make_sequence_classification,
    make_speaker_sequences,
)
from ._seq2seq import make_date_normalization
from ._tagging import make_contract_entities, make_machine_faults
from ._text import make_negation_sentiment, make_support_tickets

__all__ = [
    "load_airline",
    "make_card_transactions",
    "make_contract_entities",
    "make_customer_events",
    "make_date_normalization",
    "make_demand",
    "make_long_range_classification",
    "make_machine_faults",
    "make_negation_sentiment",
    "make_sensor_stream",
    "make_price_series",
    "make_sequence_classification",
    "make_speaker_sequences",
    "make_store_demand",
    "make_support_tickets",
]
