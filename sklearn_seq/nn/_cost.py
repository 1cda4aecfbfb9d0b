"""What one time step of a network's forward pass costs: the budget of
``max_iter="auto"`` (see ``sklearn_seq._training``)."""

from torch import nn

# A convolution over time runs on the CPU's wide matrix kernels (oneDNN), where a
# recurrent step multiplies small matrices one step after another: a weight of a
# convolution costs about a third of a recurrent weight's time a step, and each
# output channel adds about CONV_CHANNEL_COST for its elementwise work
# (normalisation, ReLU, masking, pooling; forward and backward). Fitted to the
# epoch times of benchmarks/bench_epoch_cost.py (front ends of 16 to 128 channels):
# on one thread each price is within about 15 % of its measured time relative to
# the default network's (whose price these rates leave about unchanged); on two,
# wide convolutions gain more from the second thread, and the price overstates
# them by up to a third (fewer epochs than their time would allow).
CONV_WEIGHT_RATE = 1 / 3
CONV_CHANNEL_COST = 58


def forward_macs_per_step(module, mean_length):
    """About the multiply-adds of ``module``'s forward pass per input time step.

    Each weight is used once per step it runs over: a recurrent layer, a
    projection or a per-step output layer costs its number of weights a step
    (bias and normalisation parameters are counted too; they are few). A
    convolution's weights cost ``CONV_WEIGHT_RATE`` of that and each of its output
    channels ``CONV_CHANNEL_COST`` (measured: see the constants).
    Self-attention adds ``2 * embed_dim * mean_length`` a step and layer (scores
    and weighted sum over the other steps). Embedding tables (lookups, not
    products) are left out. A network names in ``_step_rates`` the submodules
    that run over a share of the steps: 0 for what runs once per sequence (the
    output layer after a pooling, a forecaster's query), ``1 / conv_stride`` for
    the recurrent layers after a strided convolutional front end.

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
        for name, rate in getattr(m, "_step_rates", {}).items():
            for sub in m.get_submodule(name).modules():
                rates[id(sub)] = rate
    macs = 0.0
    for m in module.modules():
        if isinstance(m, (nn.Embedding, nn.EmbeddingBag)):
            continue
        rate = rates.get(id(m), 1.0)
        if isinstance(m, nn.Conv1d):
            macs += rate * (CONV_WEIGHT_RATE * m.weight.numel() + m.out_channels
                            * (1 + CONV_CHANNEL_COST))  # and the bias
            continue
        macs += rate * sum(p.numel() for p in m.parameters(recurse=False))
        if isinstance(m, nn.MultiheadAttention):
            macs += rate * 2 * m.embed_dim * mean_length
    return macs
