"""What one time step of a network's forward pass costs: the budget of
``max_iter="auto"`` (see ``sklearn_seq._training``)."""

from torch import nn

from ._recurrent import SequenceNetwork


def forward_macs_per_step(module, mean_length):
    """About the multiply-adds of ``module``'s forward pass per input time step.

    Each weight is used once per step it runs over: a convolution, a recurrent
    layer, a projection or a per-step output layer costs its number of weights a
    step (bias and normalisation parameters are counted too; they are few). The
    recurrent layers after a strided convolutional front end
    (:class:`SequenceNetwork`) run over one step in ``conv_stride`` and cost that
    share. Self-attention adds ``2 * embed_dim * mean_length`` a step and layer
    (scores and weighted sum over the other steps). Left out: embedding tables
    (lookups, not products) and the submodules a network names in its
    ``_once_per_sequence`` (the output layer after a pooling, a forecaster's
    query), which run once per sequence.

    Parameters
    ----------
    module : torch.nn.Module
        The network.
    mean_length : float
        The steps a sequence's attention reads, on average over the time steps:
        ``sum(lengths ** 2) / sum(lengths)``.

    Returns
    -------
    float
    """
    rates = {}
    for m in module.modules():
        if isinstance(m, SequenceNetwork) and m.conv.stride > 1:
            for sub in m.encoder.modules():
                rates[id(sub)] = 1.0 / m.conv.stride
        for name in getattr(m, "_once_per_sequence", ()):
            for sub in m.get_submodule(name).modules():
                rates[id(sub)] = 0.0
    macs = 0.0
    for m in module.modules():
        if isinstance(m, (nn.Embedding, nn.EmbeddingBag)):
            continue
        rate = rates.get(id(m), 1.0)
        macs += rate * sum(p.numel() for p in m.parameters(recurse=False))
        if isinstance(m, nn.MultiheadAttention):
            macs += rate * 2 * m.embed_dim * mean_length
    return macs
