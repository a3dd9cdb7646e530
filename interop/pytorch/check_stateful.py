"""Checks train.py's stateful windows: with a learning rate of 0 and one batch slot, an epoch walks every
sequence's windows in order, each from the state the previous one left, so the NLL summed over the epoch's
windows is the whole sequences' NLL (float64; they agree to rounding). Prints both.

    python3 interop/pytorch/check_stateful.py model.safetensors strokes.csv WINDOW
"""
import sys
import types

import torch

sys.path.insert(0, __file__.rsplit("/", 1)[0] if "/" in __file__ else ".")
import train  # noqa: E402
from mixden_twin import load_file  # noqa: E402


def main(path, data, window):
    model, manifest = load_file(path)
    model = model.double()
    y, condition, lengths = train.read_sequences(data, manifest["metadata"])
    y, condition = y.double(), None if condition is None else condition.double()
    x, targets, mask = model.sequence_windows(y, condition, lengths, window)
    windows = train.windows_per_sequence(lengths, window)
    sums = []

    def nll(head, pick):
        total = -(model.target_log_prob(head, targets[pick]) * mask[pick]).sum()
        sums.append(total.item())
        return total / mask[pick].sum()

    args = types.SimpleNamespace(lr=0.0, seed=3, batch="1", steps=sum(windows))
    train.optimise_stateful(model, model, nll, x, windows, args, 0, 1, False)
    valid = torch.arange(y.shape[1])[None, :] < lengths[:, None]
    whole = -(model.sequence_log_prob(y, condition) * valid).sum().item()
    print(f"NLL of one epoch of stateful windows of {window} steps (one slot, lr 0): {sum(sums):.10f}; of the whole sequences: {whole:.10f}")
    if abs(sum(sums) - whole) > 1e-9 * abs(whole):
        raise SystemExit("check_stateful.py: they differ")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
