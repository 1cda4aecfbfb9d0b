import torch

# Tiny fits stall when torch's threads compete on a small machine (see FINDINGS):
# one thread makes the suite ~10x faster and its timing steady.
torch.set_num_threads(1)
