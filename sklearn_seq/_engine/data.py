"""Sequences as tensors: the dataset and the batch iterator of the engine.

skorch's default ``DataLoader`` fetches and collates one sample at a time.
:class:`BatchIterator` instead gathers whole batches by slicing or indexing tensors
(ragged data with one vectorised gather from a flat buffer) and groups ragged
sequences of similar length into the same batch, so padding costs little.
"""

import numpy as np
import torch
from torch.utils.data import Dataset, Subset

# Ragged training batches are bucketed by length within chunks of this many batches,
# so batches stay random across chunks but hold sequences of similar length.
_BUCKET_BATCHES = 32

# The per-step class target of a padding step: skipped by the per-step losses (as
# torch's cross-entropy default ignore_index).
IGNORE_INDEX = -100


class SequenceDataset(Dataset):
    """Tensors over :class:`Sequences`, with vectorised batch gathering.

    Parameters
    ----------
    sequences : Sequences
        Dense or ragged input (shares memory with the numpy arrays).
    y : ndarray, Sequences or None
        Targets: int64 class codes or float targets, one per sequence; or a target
        per step, as a ``Sequences`` shaped like ``sequences`` (``(n_samples,
        n_timesteps, k)`` or ragged ``(sum(lengths), k)``). Per-step targets of
        padding steps read ``IGNORE_INDEX`` (class codes) or NaN (values), which
        the per-step losses skip; ``k == 1`` is dropped from a batch's shape.
        A per-step target may also have lengths of its own (an output sequence of
        another length than its input, as a sequence-to-sequence model has): it is
        then gathered with its own offsets and padded to its batch's longest.
    sample_weight : ndarray or None
        Per-sample weights in the loss.
    target_as_input : bool, default=False
        Also hand each batch's (padded) per-step target to the module, as the
        keyword ``target``: what a decoder trained with teacher forcing reads (its
        input at step ``t`` is the target of step ``t - 1``).
    """

    def __init__(self, sequences, y=None, sample_weight=None, target_as_input=False):
        values = sequences.values
        if not values.flags.writeable or not values.flags.c_contiguous:
            values = np.require(values, requirements=["C", "W"])
        self.X = torch.from_numpy(values)
        self.ragged = sequences.is_ragged
        if self.ragged:
            self.lengths = torch.from_numpy(sequences.lengths)
            self.offsets = torch.from_numpy(sequences.offsets)
        else:
            self.lengths = None
        self.per_step = getattr(y, "is_ragged", None) is not None
        self.y_lengths = None
        if self.per_step:
            if y.is_ragged:
                self.y_lengths = torch.from_numpy(y.lengths)
                self.y_offsets = torch.from_numpy(y.offsets)
            y = y.values
        self.target_as_input = target_as_input and self.per_step
        self.y = None if y is None else torch.from_numpy(np.require(y, requirements=["C", "W"]))
        self.sample_weight = (
            None if sample_weight is None else torch.from_numpy(np.asarray(sample_weight))
        )

    def __len__(self):
        return self.lengths.shape[0] if self.ragged else self.X.shape[0]

    def __getitem__(self, i):
        return self.batch(torch.as_tensor([i]))

    def batch(self, index):
        """Gather the batch at ``index`` (a slice or a LongTensor) as ``(Xi, yi)``.

        ``Xi`` is the steps tensor itself when that is all there is (equal lengths,
        no weights), else a dict ``{"x", "lengths"?, "sample_weight"?}``: a bare
        tensor saves skorch a walk over the dict on every batch.
        """
        if isinstance(index, slice) and (self.ragged or self.y_lengths is not None):
            index = torch.arange(*index.indices(len(self)))
        if not self.ragged:
            x, lengths = self.X[index], None
        else:
            x, lengths = _padded(self.X, self.offsets, self.lengths[index], index)
            if int(lengths.min()) == x.shape[1]:
                lengths = None
        yi = None if self.y is None else self._targets(index)
        if self.per_step and yi is not None and yi.shape[-1] == 1:
            yi = yi[..., 0]
        if lengths is None and self.sample_weight is None and not self.target_as_input:
            return x, yi
        xi = {"x": x}
        if lengths is not None:
            xi["lengths"] = lengths
        if self.target_as_input:
            xi["target"] = yi
        if self.sample_weight is not None:
            xi["sample_weight"] = self.sample_weight[index]
        return xi, yi

    def _targets(self, index):
        if self.y_lengths is None:  # one target per sample, or equal lengths
            return self.y[index]
        y, lengths = _padded(self.y, self.y_offsets, self.y_lengths[index], index)
        padding = torch.arange(y.shape[1])[None, :] >= lengths[:, None]
        if padding.any():
            fill = IGNORE_INDEX if not y.is_floating_point() else float("nan")
            y = y.masked_fill(padding[..., None], fill)
        return y


def _padded(values, offsets, lengths, index):
    """The ragged sequences at ``index`` of a flat ``values`` buffer as one padded
    ``(batch, longest, ...)`` tensor, and their lengths.

    Past its end a sequence repeats its last step; callers mask or never read those.
    """
    steps = torch.arange(int(lengths.max()))
    pos = offsets[index, None] + torch.minimum(steps[None, :], lengths[:, None] - 1)
    return values[pos], lengths


def _unwrap(dataset):
    """Base dataset and index tensor (None for all rows in order) behind Subsets."""
    index = None
    while isinstance(dataset, Subset):
        sub = torch.as_tensor(np.asarray(dataset.indices), dtype=torch.long)
        index = sub if index is None else index[sub]
        dataset = dataset.dataset
    if index is not None:
        index = index.clone()
    return dataset, index


class BatchIterator:
    """Yield whole batches of a :class:`SequenceDataset` (or a Subset of one).

    Training (``shuffle=True``) shuffles, then sorts ragged sequences by length
    within chunks of ``32 * batch_size`` and shuffles the order of the batches.
    Evaluation keeps dense data in order; ragged subsets are visited in order of
    length (callers that need their own order pass a length-sorted Subset).
    """

    def __init__(self, dataset, batch_size=32, shuffle=False):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self):
        n = len(self.dataset)
        return (n + self.batch_size - 1) // self.batch_size

    def _index_batches(self, ds, index):
        n = len(ds) if index is None else index.shape[0]
        bs = self.batch_size
        if self.shuffle:
            perm = torch.randperm(n)
            index = perm if index is None else index[perm]
            if ds.ragged:
                lengths = ds.lengths[index]
                chunk = torch.arange(n) // (bs * _BUCKET_BATCHES)
                key = chunk * (int(lengths.max()) + 1) + lengths
                index = index[torch.argsort(key, stable=True)]
            batches = list(index.split(bs))
            if ds.ragged and len(batches) > 1:
                batches = [batches[i] for i in torch.randperm(len(batches)).tolist()]
            return batches
        if index is None:
            return [slice(i, min(i + bs, n)) for i in range(0, n, bs)]
        if ds.ragged:
            index = index[torch.argsort(ds.lengths[index], stable=True)]
        return list(index.split(bs))

    def __iter__(self):
        ds, index = _unwrap(self.dataset)
        for batch in self._index_batches(ds, index):
            yield ds.batch(batch)


def ordered(sequences):
    """A dataset over ``sequences`` visited by length, and the order used (or None)."""
    dataset = SequenceDataset(sequences)
    if not sequences.is_ragged:
        return dataset, None
    order = np.argsort(sequences.lengths, kind="stable")
    return Subset(dataset, order), order


