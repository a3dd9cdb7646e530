"""Trains a mixden model in PyTorch, on one machine or several, and writes a mixden model file.

    python3 interop/pytorch/train.py --data file.csv --x a,b --y c [--hidden 32,32] [--activation tanh]
        [--components 5] [--family gaussian|gaussian-full|laplace|student-t|von-mises] [--degrees-of-freedom NU|learned]
        [--sigma softplus] [--steps 3000] [--batch full|N] [--lr 0.001] [--seed 1] [--init glorot|pytorch]
        [--scale zscore|minmax|none] [--from model.safetensors] [--out model.safetensors] [--processes N]

Under ``torchrun --nproc_per_node N`` (on one node or many; or ``--processes N`` here, which starts N local
processes itself, for PyTorch builds whose torchrun does not start) it trains with DistributedDataParallel: the ``gloo`` backend on CPUs, ``nccl`` where CUDA is available. Every process
reads the CSV and fits the same scalers on all its rows; each then trains on its own shard of the rows (rank r
takes rows r, r + N, ...), and the gradients are averaged across processes at every step, so N processes with
``--batch B`` train as one with batch N*B. Rank 0 writes the file, which mixden's loadMdn, mixden/inference and
command line open. ``--from`` continues training a model file written by mixden (its scalers are kept).

A sequence model written by ``mixden train --sequence`` trains here too, from its file (``--from``, without
``--x``/``--y``): the CSV's columns are those the file names (sequence id, targets, side outputs, conditions,
label conditions one-hot in the file's class order); each step takes ``--batch`` sequences (default all), in
windows of ``--window`` steps as mixden cuts them (each from a zero state; default the longest sequence), the
loss the mean NLL over the valid steps; processes shard the sequences. With ``--stateful`` each window starts
from the state its sequence's previous window left (detached), as ``mixden train --stateful``: every epoch the
process's sequences are shuffled and their windows laid end to end, and each of the ``--batch`` slots takes a
run of consecutive windows, one per step (a run's first window starts from zero). The file it writes keeps the
manifest, so ``mixden generate`` draws from it.
"""
import argparse
import csv
import os
import sys
import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mixden_twin import MixdenMdn, fit_scaler, load_file, save_file  # noqa: E402


def read_columns(path, x_columns, y_columns):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for name in [*x_columns, *y_columns]:
        if rows and name not in rows[0]:
            raise SystemExit(f"{path}: there is no column {name!r}; the columns are {', '.join(rows[0])}")
    take = lambda names: torch.tensor([[float(r[n]) for n in names] for r in rows], dtype=torch.float32)
    return take(x_columns), take(y_columns)


def read_sequences(path, columns):
    """The sequences of a CSV as ``mixden train --sequence`` read them, under the columns a sequence model file
    names: y (sequences, longest, width) padded with zeros, the conditions (sequences, conditionDim), lengths."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    targets = [*columns["yColumns"], *columns["sideColumns"]]
    for name in [columns["sequenceColumn"], *targets, *(c["column"] for c in columns["conditions"])]:
        if rows and name not in rows[0]:
            raise SystemExit(f"{path}: there is no column {name!r} (the model file names it); the columns are {', '.join(rows[0])}")

    def condition_of(row):
        values = []
        for c in columns["conditions"]:
            cell = row[c["column"]]
            if c["kind"] == "number":
                values.append(float(cell))
            elif cell in c["classes"]:
                values.extend(1.0 if k == cell else 0.0 for k in c["classes"])
            else:
                raise SystemExit(f"{path}: {cell!r} is not a class of {c['column']!r} in the model file ({', '.join(c['classes'])})")
        return values

    ids, steps, conditions = [], {}, {}
    for number, row in enumerate(rows, 1):
        key = row[columns["sequenceColumn"]]
        if key not in steps:
            ids.append(key)
            steps[key], conditions[key] = [], condition_of(row)
        elif key != ids[-1]:
            raise SystemExit(f"{path}: data row {number}: sequence {key!r} continues after another began (its rows must be together)")
        steps[key].append([float(row[name]) for name in targets])
    lengths = torch.tensor([len(steps[k]) for k in ids])
    y = torch.zeros(len(ids), int(lengths.max()), len(targets))
    for n, key in enumerate(ids):
        y[n, : lengths[n]] = torch.tensor(steps[key])
    return y, torch.tensor([conditions[k] for k in ids]).reshape(len(ids), -1), lengths


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True)
    p.add_argument("--x", help="input columns (models of rows)")
    p.add_argument("--y", help="target columns (models of rows)")
    p.add_argument("--window", type=int, help="steps per window (sequence models; default the longest sequence)")
    p.add_argument("--stateful", action="store_true", help="carry each sequence's state from one window to the next (with --window)")
    p.add_argument("--hidden", default="32,32")
    p.add_argument("--activation", default="tanh")
    p.add_argument("--components", type=int, default=5)
    p.add_argument("--family", default="gaussian")
    p.add_argument("--degrees-of-freedom", type=lambda v: v if v == "learned" else float(v))
    p.add_argument("--sigma", default="softplus")
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--batch", default="full", help="rows (or sequences) per step and process")
    p.add_argument("--lr", type=float, default=0.001)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--init", default="glorot")
    p.add_argument("--scale", default="zscore")
    p.add_argument("--from", dest="source")
    p.add_argument("--out", default="model.safetensors")
    p.add_argument("--processes", type=int, default=1, help="local processes to start, as torchrun would")
    args = p.parse_args()
    if args.processes > 1 and "WORLD_SIZE" not in os.environ:
        # What torchrun sets for each process: the rendezvous address, the rank and the world size.
        os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=os.environ.get("MASTER_PORT", "29533"), WORLD_SIZE=str(args.processes))
        torch.multiprocessing.spawn(train, args=(args,), nprocs=args.processes)
    else:
        train(int(os.environ.get("RANK", "0")), args)


def train(rank, args):
    if "WORLD_SIZE" in os.environ:
        os.environ["RANK"] = str(rank)

    distributed = "WORLD_SIZE" in os.environ
    if distributed:
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
        print(f"process {dist.get_rank()} of {dist.get_world_size()}: backend {dist.get_backend()}, {torch.get_num_threads()} threads", flush=True)
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    torch.manual_seed(args.seed)

    manifest = None
    if args.source:
        model, manifest = load_file(args.source)
        if "sequence" in model.architecture:
            return train_sequences(model, manifest, args, rank, world, distributed)
    if not (args.x and args.y):
        raise SystemExit("train.py: --x and --y name the input and target columns (a sequence model comes --from its file)")
    x_columns, y_columns = args.x.split(","), args.y.split(",")
    x, y = read_columns(args.data, x_columns, y_columns)
    if args.source:
        if model.architecture.get("sideOutputs"):
            # The loop below scores the --y columns only; it would leave the side outputs untrained.
            raise SystemExit("train.py: the model has side outputs, which this training loop does not train yet (mixden_twin's log_prob scores them)")
    else:
        architecture = {
            "inputDim": len(x_columns),
            "outputDim": len(y_columns),
            "hidden": [int(w) for w in args.hidden.split(",")],
            "activation": args.activation,
            "components": args.components,
            "sigma": args.sigma,
            "sigmaEpsilon": 1e-7,
        }
        if args.family != "gaussian":
            architecture["family"] = args.family
        if args.degrees_of_freedom is not None:
            architecture["degreesOfFreedom"] = args.degrees_of_freedom
        # The same scalers on every process: fitted on all rows, before sharding.
        # Angles (von Mises) are never scaled: that would break the circle.
        scaling = {"x": fit_scaler(x, args.scale), "y": fit_scaler(y, "none" if args.family == "von-mises" else args.scale)}
        model = MixdenMdn(architecture, scaling, init=args.init)
    xs, ys = model._scale("x", x), model._scale("y", y)
    xs, ys = xs[rank::world], ys[rank::world]
    trained = DistributedDataParallel(model) if distributed else model
    optimise(model, lambda pick: -model.log_prob_scaled(trained(xs[pick]), ys[pick]).mean(), len(xs), args, rank, world, distributed, "nats per row (scaled y)")
    if rank == 0:
        save_file(model, args.out, manifest=manifest, metadata={"xColumns": x_columns, "yColumns": y_columns})
        print(f"{world} process{'es' if world > 1 else ''}, model saved to {args.out}", flush=True)
    if distributed:
        dist.destroy_process_group()


def optimise(model, batch_loss, count, args, rank, world, distributed, unit):
    """Adam for --steps steps, each on --batch of the ``count`` rows or windows (all of them for 'full'); the loss,
    the mean over every process's shard, printed ten times."""
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, eps=1e-7)
    generator = torch.Generator().manual_seed(args.seed + rank)
    started = time.time()
    for step in range(1, args.steps + 1):
        pick = slice(None) if args.batch == "full" else torch.randint(count, (int(args.batch),), generator=generator)
        loss = batch_loss(pick)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        show_progress(step, loss, args, rank, world, distributed, unit, started)


def show_progress(step, loss, args, rank, world, distributed, unit, started):
    """Prints the loss ten times a run (and at its end): the mean over every process's last batch."""
    if step % max(1, args.steps // 10) and step != args.steps:
        return
    shown = loss.detach().clone()
    if distributed:
        dist.all_reduce(shown)
        shown /= world
    if rank == 0:
        print(f"step {step}/{args.steps}  loss {shown.item():.4f} {unit}  {time.time() - started:.1f} s", flush=True)


def train_sequences(model, manifest, args, rank, world, distributed):
    columns = (manifest.get("metadata") or {})
    if columns.get("kind") != "sequence":
        raise SystemExit("train.py: this sequence model's file names no columns (save it with `mixden train --sequence`)")
    if args.stateful and not args.window:
        raise SystemExit("train.py: --stateful carries the state from one window of a sequence to the next: give --window too")
    y, condition, lengths = read_sequences(args.data, columns)
    count = len(lengths)
    # Each process takes its own sequences (all their windows).
    y, lengths = y[rank::world], lengths[rank::world]
    condition = None if condition is None else condition[rank::world]
    x, y, mask = model.sequence_windows(y, condition, lengths, args.window)
    trained = DistributedDataParallel(model) if distributed else model
    # The mean NLL over the valid steps, as mixden's (padding weighs nothing).
    nll = lambda head, pick: -(model.target_log_prob(head, y[pick]) * mask[pick]).sum() / mask[pick].sum()
    if args.stateful:
        optimise_stateful(model, trained, nll, x, windows_per_sequence(lengths, args.window), args, rank, world, distributed)
    else:
        optimise(model, lambda pick: nll(trained(x[pick]), pick), len(x), args, rank, world, distributed, "nats per step")
    if rank == 0:
        save_file(model, args.out, manifest=manifest)
        print(f"{world} process{'es' if world > 1 else ''}, {count} sequences, model saved to {args.out}", flush=True)
    if distributed:
        dist.destroy_process_group()


def kept_state(state, keep):
    """A layer's state after a window (LSTM: (h, c); GRU: h; each (1, batch, units); None for other layers),
    detached so the gradient stops at the window's start, and zero in the slots whose ``keep`` is 0."""
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(t.detach() * keep[None, :, None] for t in state)
    return state.detach() * keep[None, :, None]


def windows_per_sequence(lengths, window):
    return [(int(n) + window - 1) // window for n in lengths]


def optimise_stateful(model, trained, nll, x, windows, args, rank, world, distributed):
    """Adam for --steps steps on stateful windows: per epoch a shuffled order of the sequences, their windows end
    to end, cut into --batch runs; step k trains slot p on run p's k-th window, from the state slot p's previous
    window left where it is the same sequence's previous window (else from zero). The loss printed as optimise's."""
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, eps=1e-7)
    generator = torch.Generator().manual_seed(args.seed + rank)
    first = torch.tensor([0] + windows[:-1]).cumsum(0)
    batch = len(windows) if args.batch == "full" else int(args.batch)
    per_epoch = sum(windows) // batch
    if per_epoch == 0:
        raise SystemExit(f"train.py: a batch of {batch} slots needs at least {batch} windows per process, this one has {sum(windows)}")
    started = time.time()
    states = None
    for step in range(1, args.steps + 1):
        k = (step - 1) % per_epoch
        if k == 0:
            order = torch.randperm(len(windows), generator=generator).tolist()
            stream = [(int(first[s]) + w, w > 0) for s in order for w in range(windows[s])]
        entries = [stream[p * per_epoch + k] for p in range(batch)]
        pick = torch.tensor([piece for piece, _ in entries])
        # Slots whose window continues the same sequence keep their state; the rest start from zero.
        keep = torch.tensor([float(k > 0 and continues) for _, continues in entries], dtype=x.dtype)
        if states is not None:
            states = [kept_state(s, keep) for s in states]
        head, states = trained(x[pick], states, with_states=True)
        loss = nll(head, pick)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        show_progress(step, loss, args, rank, world, distributed, "nats per step (stateful windows)", started)


if __name__ == "__main__":
    main()
