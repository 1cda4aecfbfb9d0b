"""The training engine: knows skorch and torch, never an estimator.

* :mod:`.numerics`: devices, dtypes, seeding, weighted input statistics.
* :mod:`.data`: the sequence dataset and the length-bucketing batch iterator.
* :mod:`.callbacks`: validation score, stopping, non-finite losses, checkpoints,
  out-of-memory messages.
* :mod:`.net`: the skorch net, built from a :class:`~.net.TrainingSpec`; training
  and inference.

The estimators (:mod:`sklearn_seq.base` and above) call it with plain values and
read its results; its callbacks change only the net and its history and signal by
raising.
"""
