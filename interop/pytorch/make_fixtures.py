"""Makes the interop fixtures in test/fixtures/pytorch/ with real PyTorch (Debian's python3-torch 1.13 made the
committed ones; CI needs no Python: the TypeScript tests only read what this wrote).

1. Models trained by the twin (train.py's loop, on data made here), each saved as a mixden model file with its
   log-densities and mixture parameters on fixed rows, computed in float64 from the file's float32 weights:
   twin-<name>.safetensors and twin-<name>-expected.json. mixden must load them and agree.
2. Files saved by mixden (mixden-<name>.safetensors, from make-mixden-files.mjs, with the rows to score in
   mixden-<name>-inputs.json) loaded by the twin: its log-densities and mixture parameters in
   mixden-<name>-twin.json, and the file saved again by the twin, mixden-<name>-resaved.safetensors, whose
   weights must be mixden's, bit for bit.
3. The same both ways for sequence models (recurrent trunks): the per-step log-densities of a few sequences and
   one greedy generation (temperatures 0), in twin-sequence-*-expected.json and mixden-sequence-*-twin.json.

    npm run build && node interop/pytorch/make-mixden-files.mjs && /usr/bin/python3 interop/pytorch/make_fixtures.py
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mixden_twin import MixdenMdn, fit_scaler, load_file, save_file  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "fixtures", "pytorch")


def f32(t):
    """Rounded to float32 (what mixden's GPU sees), held in float64."""
    return t.to(torch.float32).to(torch.float64)


def inverse_sine(rows, g):
    y = (torch.rand(rows, 1, generator=g, dtype=torch.float64) - 0.5) * 21
    x = 7 * torch.sin(0.75 * y) + 0.5 * y + torch.randn(rows, 1, generator=g, dtype=torch.float64)
    return x, y


def correlated(rows, g):
    x = (torch.rand(rows, 1, generator=g, dtype=torch.float64) - 0.5) * 6
    theta = math.pi * x / 6
    a, b = 0.5 * torch.randn(rows, 1, generator=g, dtype=torch.float64), 0.08 * torch.randn(rows, 1, generator=g, dtype=torch.float64)
    y = torch.cat([torch.sin(x) + torch.cos(theta) * a - torch.sin(theta) * b, 0.5 * x + torch.sin(theta) * a + torch.cos(theta) * b], 1)
    return x, y


def angular(rows, g):
    x = (torch.rand(rows, 1, generator=g, dtype=torch.float64) - 0.5) * 6
    theta = 2 * x + 0.35 * torch.randn(rows, 1, generator=g, dtype=torch.float64)
    return x, math.pi - torch.remainder(math.pi - theta, 2 * math.pi)


def with_pen_and_third(rows, g):
    """The inverse-sine data, plus a pen that lifts (mostly) where x > 0 and the third of the x range x falls in."""
    x, y = inverse_sine(rows, g)
    pen = (torch.rand(rows, 1, generator=g, dtype=torch.float64) < torch.where(x > 0, 0.9, 0.1)).to(torch.float64)
    third = torch.clamp(torch.floor((x + 11) / 22 * 3), 0, 2)
    return x, torch.cat([y, pen, third], 1)


def two_inputs_heavy(rows, g):
    x = torch.randn(rows, 2, generator=g, dtype=torch.float64)
    noise = torch.distributions.StudentT(3.0).sample((rows, 1))
    return x, torch.sin(x[:, :1]) + 0.5 * x[:, 1:] + 0.3 * noise.double()


TWIN_MODELS = {
    "layernorm": dict(
        architecture={"inputDim": 1, "outputDim": 1, "hidden": [16, 12], "activation": "tanh",
                      "layers": [{"kind": "dense", "units": 16, "activation": "tanh"}, {"kind": "layerNorm", "epsilon": 1e-5}, {"kind": "dense", "units": 12, "activation": "elu"}],
                      "components": 3, "sigma": "softplus", "sigmaEpsilon": 1e-7},
        data=inverse_sine, scale="zscore", init="pytorch"),
    "full": dict(
        architecture={"inputDim": 1, "outputDim": 2, "hidden": [16], "activation": "tanh", "components": 2,
                      "sigma": "exp", "sigmaEpsilon": 1e-7, "family": "gaussian-full"},
        data=correlated, scale="zscore", init="glorot"),
    "student-t": dict(
        architecture={"inputDim": 2, "outputDim": 1, "hidden": [8, 8], "activation": "relu", "components": 3,
                      "sigma": "elu1", "sigmaEpsilon": 1e-6, "family": "student-t", "degreesOfFreedom": 3},
        data=two_inputs_heavy, scale="none", init="pytorch"),
    "von-mises": dict(
        architecture={"inputDim": 1, "outputDim": 1, "hidden": [12], "activation": "tanh", "components": 3,
                      "sigma": "softplus", "sigmaEpsilon": 1e-7, "family": "von-mises"},
        data=angular, scale="none", init="glorot"),
    "sides": dict(
        architecture={"inputDim": 1, "outputDim": 1, "hidden": [12], "activation": "tanh", "components": 3,
                      "sigma": "softplus", "sigmaEpsilon": 1e-7,
                      "sideOutputs": [{"kind": "bernoulli", "name": "pen"}, {"kind": "categorical", "classes": 3, "name": "third"}]},
        data=with_pen_and_third, scale="zscore", init="glorot"),
    "learned-nu": dict(
        architecture={"inputDim": 2, "outputDim": 1, "hidden": [8], "activation": "tanh", "components": 2,
                      "sigma": "softplus", "sigmaEpsilon": 1e-7, "family": "student-t", "degreesOfFreedom": "learned"},
        data=two_inputs_heavy, scale="zscore", init="glorot"),
}


def turning_strokes(count, g):
    """Sequences of 4 to 11 pen moves (dx, dy) turning left or right as their one-hot condition says, with a
    Bernoulli pen that is 1 at the last step only: (y padded to 11 steps, condition, lengths)."""
    lengths = torch.randint(4, 12, (count,), generator=g)
    turn = torch.randint(0, 2, (count,), generator=g)
    y = torch.zeros(count, 11, 3, dtype=torch.float64)
    for n in range(count):
        angle = 2 * math.pi * torch.rand(1, generator=g, dtype=torch.float64).item()
        for t in range(int(lengths[n])):
            angle += (0.6 if turn[n] else -0.6) + 0.1 * torch.randn(1, generator=g, dtype=torch.float64).item()
            y[n, t, 0], y[n, t, 1] = math.cos(angle), math.sin(angle)
            y[n, t, 2] = float(t == lengths[n] - 1)
    y[..., :2] += 0.05 * torch.randn(count, 11, 2, generator=g, dtype=torch.float64)
    return y, F.one_hot(turn, 2).to(torch.float64), lengths


def damped_walks(count, g):
    """Sequences of 3 to 9 steps of a damped walk with a three-class pen (0 down, 1 lifted at random, 2 at the
    last step), unconditioned: (y padded to 9 steps, None, lengths)."""
    lengths = torch.randint(3, 10, (count,), generator=g)
    y = torch.zeros(count, 9, 2, dtype=torch.float64)
    for n in range(count):
        value = 0.0
        for t in range(int(lengths[n])):
            value = 0.7 * value + 0.5 + 0.3 * torch.randn(1, generator=g, dtype=torch.float64).item()
            lifted = torch.rand(1, generator=g).item() < 0.2
            y[n, t, 0], y[n, t, 1] = value, 2.0 if t == lengths[n] - 1 else float(lifted)
    return y, None, lengths


TWIN_SEQUENCE_MODELS = {
    # An LSTM and a dense layer, correlated Gaussians for (dx, dy) and a Bernoulli pen, conditioned on a one-hot.
    "sequence-lstm": dict(
        architecture={"inputDim": 5, "outputDim": 2, "hidden": [6], "activation": "tanh",
                      "layers": [{"kind": "lstm", "units": 8}, {"kind": "dense", "units": 6, "activation": "tanh"}],
                      "components": 3, "sigma": "softplus", "sigmaEpsilon": 1e-7, "family": "gaussian-full",
                      "sideOutputs": [{"kind": "bernoulli", "name": "pen"}], "sequence": {"conditionDim": 2}},
        data=turning_strokes, init="glorot", stop=(2, 1.0)),
    # Two recurrent layers (GRU, layerNorm, LSTM), Gaussian components and a three-class pen, no condition.
    "sequence-gru": dict(
        architecture={"inputDim": 2, "outputDim": 1, "hidden": [], "activation": "tanh",
                      "layers": [{"kind": "gru", "units": 6}, {"kind": "layerNorm", "epsilon": 1e-5}, {"kind": "lstm", "units": 5}],
                      "components": 2, "sigma": "exp", "sigmaEpsilon": 1e-7,
                      "sideOutputs": [{"kind": "categorical", "classes": 3, "name": "pen"}], "sequence": {"conditionDim": 0}},
        data=damped_walks, init="pytorch", stop=(1, 2.0)),
}


def valid(values, lengths):
    """The valid steps' values of (batch, steps, ...) sequences, sequence after sequence, flattened."""
    return torch.cat([values[n, : int(lengths[n])].reshape(-1) for n in range(len(lengths))]).tolist()


def sequence_json(model, y, condition, lengths, stop):
    """Per-step log-densities of the sequences and one greedy generation (temperatures 0: no randomness)."""
    with torch.no_grad():
        log_p = model.sequence_log_prob(y, condition)
    conditioned = condition is not None
    sequences = [{"y": valid(y[n : n + 1], lengths[n : n + 1]), **({"condition": condition[n].tolist()} if conditioned else {})} for n in range(len(lengths))]
    greedy_condition = condition[0] if conditioned else None
    greedy = model.generate(1, 12, greedy_condition, temperature=0, sigma_temperature=0, stop=stop)[0]
    # Primed: the first sequence's first 3 steps walked, then 8 greedy steps continuing them.
    prime = y[0, :3]
    primed = model.generate(1, 8, greedy_condition, temperature=0, sigma_temperature=0, stop=stop, prime=prime)[0]
    return {"sequences": sequences, "logProb": valid(log_p, lengths),
            "greedy": {"condition": greedy_condition.tolist() if conditioned else [], "maxSteps": 12, "stop": list(stop), "y": greedy.reshape(-1).tolist()},
            "primedGreedy": {"prime": prime.reshape(-1).tolist(), "maxSteps": 8, "y": primed.reshape(-1).tolist()}}


def twin_trained_sequences():
    for name, spec in TWIN_SEQUENCE_MODELS.items():
        g = torch.Generator().manual_seed(9)
        torch.manual_seed(9)
        y, condition, lengths = spec["data"](64, g)
        y, condition = f32(y), None if condition is None else f32(condition)
        mask = (torch.arange(y.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)).float()
        model = MixdenMdn(spec["architecture"], init=spec["init"])
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01, eps=1e-7)
        for _ in range(200):
            loss = -(model.sequence_log_prob(y.float(), None if condition is None else condition.float()) * mask).sum() / mask.sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        path = os.path.join(OUT, f"twin-{name}.safetensors")
        save_file(model, path, metadata={"trainedBy": "interop/pytorch/make_fixtures.py", "torch": torch.__version__})
        exact = load_file(path)[0].double()
        write_json(f"twin-{name}-expected.json", sequence_json(exact, y[:5], None if condition is None else condition[:5], lengths[:5], spec["stop"]))
        print(f"twin-{name}: final training loss {loss.item():.4f} nats per step")


def mixden_saved_sequences():
    for name in ("sequence-lstm", "sequence-gru"):
        model, manifest = load_file(os.path.join(OUT, f"mixden-{name}.safetensors"))
        with open(os.path.join(OUT, f"mixden-{name}-inputs.json")) as f:
            inputs = json.load(f)
        width, condition_dim = model._sequence_parts()
        rows = [torch.tensor(s["y"], dtype=torch.float64).reshape(-1, width) for s in inputs["sequences"]]
        lengths = torch.tensor([len(r) for r in rows])
        y = torch.zeros(len(rows), int(lengths.max()), width, dtype=torch.float64)
        for n, r in enumerate(rows):
            y[n, : len(r)] = r
        condition = torch.tensor([s["condition"] for s in inputs["sequences"]], dtype=torch.float64) if condition_dim else None
        exact = model.double()
        write_json(f"mixden-{name}-twin.json", sequence_json(exact, y, condition, lengths, tuple(inputs["stop"])))
        save_file(model.float(), os.path.join(OUT, f"mixden-{name}-resaved.safetensors"), manifest=manifest)
        print(f"mixden-{name}: scored {len(rows)} sequences, saved again")


def mixture_json(model, x):
    sides = {"sides": [p.flatten().tolist() for p in model.side_probabilities(x)]} if model.architecture.get("sideOutputs") else {}
    return {**_mixture_json(model, x), **sides}


def _mixture_json(model, x):
    pi, mu, sigma, lower = model.mixture(x)
    if model.architecture.get("degreesOfFreedom") == "learned":
        return {"pi": pi.flatten().tolist(), "mu": mu.flatten().tolist(), "sigma": sigma.flatten().tolist(), "lower": [], "nu": lower.flatten().tolist()}
    return {"pi": pi.flatten().tolist(), "mu": mu.flatten().tolist(), "sigma": sigma.flatten().tolist(), "lower": lower.flatten().tolist()}


def write_json(name, value):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(value, f)
        f.write("\n")


def twin_trained():
    for name, spec in TWIN_MODELS.items():
        g = torch.Generator().manual_seed(5)
        torch.manual_seed(5)
        x, y = spec["data"](400, g)
        x, y = f32(x), f32(y)
        # The continuous targets; side outputs' classes follow them.
        d = spec["architecture"]["outputDim"]
        scaling = None if spec["scale"] == "none" else {"x": fit_scaler(x, spec["scale"]), "y": fit_scaler(y[:, :d], spec["scale"])}
        model = MixdenMdn(spec["architecture"], scaling, init=spec["init"])
        xs, ys, classes = model._scale("x", x.float()), model._scale("y", y[:, :d].float()), y[:, d:].float()
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01, eps=1e-7)
        for _ in range(300):
            head = model(xs)
            log_p = model.log_prob_scaled(head, ys) + (model.side_log_prob(head, classes) if classes.shape[1] else 0)
            loss = -log_p.mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        path = os.path.join(OUT, f"twin-{name}.safetensors")
        save_file(model, path, metadata={"trainedBy": "interop/pytorch/make_fixtures.py", "torch": torch.__version__})
        # The file's weights, in float64: what the expected values are computed from.
        reread, _ = load_file(path)
        exact = reread.double()
        rows_x, rows_y = x[:13], y[:13]
        with torch.no_grad():
            expected = {"x": rows_x.flatten().tolist(), "y": rows_y.flatten().tolist(), "logProb": exact.log_prob(rows_x, rows_y).tolist(), **mixture_json(exact, rows_x)}
        write_json(f"twin-{name}-expected.json", expected)
        print(f"twin-{name}: final training loss {loss.item():.4f} (scaled y)")


def mixden_saved():
    for name in ("laplace", "full", "lognormal", "learned-nu", "von-mises", "sides"):
        path = os.path.join(OUT, f"mixden-{name}.safetensors")
        model, manifest = load_file(path)
        with open(os.path.join(OUT, f"mixden-{name}-inputs.json")) as f:
            inputs = json.load(f)
        a = model.architecture
        x = torch.tensor(inputs["x"], dtype=torch.float64).reshape(-1, a["inputDim"])
        y = torch.tensor(inputs["y"], dtype=torch.float64).reshape(-1, a["outputDim"] + len(a.get("sideOutputs") or []))
        exact = MixdenMdn(a, model.scaling).double()
        exact.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
        with torch.no_grad():
            write_json(f"mixden-{name}-twin.json", {"logProb": exact.log_prob(x, y).tolist(), **mixture_json(exact, x)})
        save_file(model, os.path.join(OUT, f"mixden-{name}-resaved.safetensors"), manifest=manifest)
        print(f"mixden-{name}: scored {len(x)} rows, saved again")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    twin_trained()
    mixden_saved()
    twin_trained_sequences()
    mixden_saved_sequences()
