"""mixden's twin in PyTorch: the same mixture density network as mixden builds in the browser, and its model
file.

The module holds its parameters as mixden's safetensors model file names them (``trunk.<i>.weight`` [out, in]
and ``trunk.<i>.bias`` for a dense layer, as ``torch.nn.Linear`` holds them; ``trunk.<i>.weight``/``bias`` for
a layerNorm's gamma/beta, as ``torch.nn.LayerNorm``; ``head.weight``/``head.bias`` for the head's linear layer),
so ``load_file`` and ``save_file`` move models between mixden and PyTorch without conversion. The math is
mixden's: the trunk's activations, the head layout [pi logits (K) | mu (K*D) | sigma pre-activations (K*D) |
(gaussian-full) the Cholesky factor below its diagonal (K*D(D-1)/2)], the sigma activations exp, softplus and
elu + 1 + eps, the families gaussian, gaussian-full, laplace and student-t (fixed nu), and the model's scalers,
so ``log_prob``, ``mixture`` and ``sample`` take and return original units as mixden's do.

Recurrent layers (``lstm``, ``gru``) are ``torch.nn.LSTM``/``GRU`` (one layer, batch first), whose tensors
(``trunk.<i>.weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``) are the file's. A model of rows
runs each row as a one-step sequence from a zero state, as mixden does; a sequence model (the architecture's
``sequence``) is autoregressive: step t's input is step t-1's target row (zeros at the first step) followed by
the sequence's condition, and ``sequence_log_prob`` and ``generate`` work as mixden's ``evaluate`` and
``generate``.

The safetensors container is written and read here with the standard library (an 8-byte little-endian header
length, the JSON header, the data), so nothing beyond PyTorch is needed; ``safetensors.torch.load_file`` reads
the same files.
"""
import json
import math
import struct

import torch
import torch.nn.functional as F
from torch import nn

MANIFEST_FORMAT = "mixden-model"
MANIFEST_VERSION = 2
ACTIVATIONS = {
    "identity": lambda x: x,
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "elu": F.elu,
}
RECURRENT = {"lstm": nn.LSTM, "gru": nn.GRU}
FAMILIES = ("gaussian", "gaussian-full", "laplace", "student-t", "von-mises")
# Learned Student-t degrees of freedom (degreesOfFreedom: "learned"): nu = NU_MIN + NU_SPAN * sigmoid(a).
NU_MIN, NU_SPAN = 1.5, 98.5


def learned_nu(architecture):
    return architecture.get("family") == "student-t" and architecture.get("degreesOfFreedom") == "learned"


def trunk_specs(architecture):
    """The trunk as layer specs: ``layers``, or dense layers from the ``hidden``/``activation`` shorthand."""
    if "layers" in architecture:
        return [dict(spec) for spec in architecture["layers"]]
    return [{"kind": "dense", "units": units, "activation": architecture["activation"]} for units in architecture["hidden"]]


def lower_count(dims):
    return dims * (dims - 1) // 2


def side_logits(architecture):
    """Logits of each discrete side output after the family's head: 1 for a Bernoulli output, C for a categorical one."""
    return [1 if s["kind"] == "bernoulli" else s["classes"] for s in architecture.get("sideOutputs") or []]


def head_width(architecture):
    k, d = architecture["components"], architecture["outputDim"]
    extra = lower_count(d) if architecture.get("family", "gaussian") == "gaussian-full" else d if learned_nu(architecture) else 0
    return k * (1 + 2 * d + extra) + sum(side_logits(architecture))


def sigma_of(kind, s, epsilon):
    """The scale (gaussian-full: the factor's diagonal) from its pre-activation."""
    if kind == "exp":
        return torch.exp(s)
    if kind == "softplus":
        return F.softplus(s)
    if kind == "elu1":
        return F.elu(s) + 1 + epsilon
    raise ValueError(f"unknown sigma activation {kind!r}")


class MixdenMdn(nn.Module):
    """A mixden model description (``architecture``, as in the manifest) as a torch module.

    ``scaling`` is the manifest's ``{"x": scaler, "y": scaler}`` (each ``{kind, log, shift, scale}``) or None;
    ``forward`` works on scaled inputs, the other methods on original units.
    """

    def __init__(self, architecture, scaling=None, init="glorot"):
        super().__init__()
        self.architecture = dict(architecture)
        self.scaling = scaling
        family = architecture.get("family", "gaussian")
        if family not in FAMILIES:
            raise ValueError(f"family must be one of {', '.join(FAMILIES)}, got {family!r}")
        self.trunk = nn.ModuleList()
        self.activations = []
        width = architecture["inputDim"]
        for spec in trunk_specs(architecture):
            if spec["kind"] == "dense":
                self.trunk.append(nn.Linear(width, spec["units"]))
                self.activations.append(spec.get("activation", "tanh"))
                width = spec["units"]
            elif spec["kind"] == "layerNorm":
                self.trunk.append(nn.LayerNorm(width, eps=spec.get("epsilon", 1e-5)))
                self.activations.append("identity")
            elif spec["kind"] in RECURRENT:
                self.trunk.append(RECURRENT[spec["kind"]](width, spec["units"], batch_first=True))
                self.activations.append("identity")
                width = spec["units"]
            else:
                raise ValueError(f"layer kind {spec['kind']!r} has no twin yet")
        self.head = nn.Linear(width, head_width(architecture))
        if init == "glorot":
            # Keras' default, mixden's 'glorot': Glorot-uniform weights, zero biases (layerNorm: gamma 1, beta 0).
            # Recurrent layers as Keras starts them: Glorot-uniform W_ih, orthogonal W_hh, zero biases but the
            # LSTM's forget gate (PyTorch's gate order i, f, g, o) at 1 in b_ih.
            for layer in [*self.trunk, self.head]:
                if isinstance(layer, nn.Linear):
                    nn.init.xavier_uniform_(layer.weight)
                    nn.init.zeros_(layer.bias)
                elif isinstance(layer, (nn.LSTM, nn.GRU)):
                    nn.init.xavier_uniform_(layer.weight_ih_l0)
                    nn.init.orthogonal_(layer.weight_hh_l0)
                    nn.init.zeros_(layer.bias_ih_l0)
                    nn.init.zeros_(layer.bias_hh_l0)
                    if isinstance(layer, nn.LSTM):
                        with torch.no_grad():
                            layer.bias_ih_l0[layer.hidden_size : 2 * layer.hidden_size] = 1
        elif init != "pytorch":
            raise ValueError(f"init must be 'glorot' or 'pytorch', got {init!r}")

    # The network on scaled inputs: the raw head. x (rows, inputs): rows, each a one-step sequence from a zero
    # state; (batch, steps, inputs): sequences, the head at every step.
    def forward(self, x, states=None, with_states=False):
        """The raw head of rows x (batch, inputs) or sequences (batch, steps, inputs); with ``with_states``, sequences
        continue ``states`` (as ``run``) and the states after the last step come back too (through DDP as well)."""
        if with_states:
            return self.run(x, states)
        if x.dim() == 2:
            return self.run(x.unsqueeze(1))[0].squeeze(1)
        return self.run(x)[0]

    def run(self, x, states=None):
        """The raw head of sequences x (batch, steps, inputs) continuing ``states`` (one per trunk layer, as this
        returned them; None: zero states), and the states after the last step."""
        states = states or [None] * len(self.trunk)
        after = []
        for layer, activation, state in zip(self.trunk, self.activations, states):
            if isinstance(layer, (nn.LSTM, nn.GRU)):
                x, state = layer(x, state)
            else:
                x = ACTIVATIONS[activation](layer(x))
            after.append(state)
        return self.head(x), after

    def _parts(self, head):
        a = self.architecture
        k, d = a["components"], a["outputDim"]
        logits = head[:, :k]
        mu = head[:, k : k + k * d].reshape(-1, k, d)
        scale = sigma_of(a["sigma"], head[:, k + k * d : k + 2 * k * d].reshape(-1, k, d), a["sigmaEpsilon"])
        # After the scales: gaussian-full's factor below its diagonal, or learned nu (here already through its activation).
        below = lower_count(d) if a.get("family", "gaussian") == "gaussian-full" else d if learned_nu(a) else 0
        lower = head[:, k + 2 * k * d : k * (1 + 2 * d + below)].reshape(head.shape[0], k, below)
        if learned_nu(a):
            lower = NU_MIN + NU_SPAN * torch.sigmoid(lower)
        return logits, mu, scale, lower

    def _factor(self, scale, lower):
        """The Cholesky factors L (rows, K, D, D): the scales on the diagonal, ``lower`` row by row below it."""
        d = scale.shape[-1]
        factor = torch.diag_embed(scale)
        rows, cols = torch.tril_indices(d, d, offset=-1)
        factor[..., rows, cols] = lower
        return factor

    def _side_logits(self, head):
        """Each side output's logits (rows, 1 or C), from after the family's outputs."""
        start = head_width(self.architecture) - sum(side_logits(self.architecture))
        out = []
        for width in side_logits(self.architecture):
            out.append(head[:, start : start + width])
            start += width
        return out

    def side_log_prob(self, head, classes):
        """Sum over side outputs of log p(class | x) per row; ``classes`` (rows, side outputs) holds 0/1 or 0..C-1."""
        total = torch.zeros(head.shape[0], dtype=head.dtype)
        for i, z in enumerate(self._side_logits(head)):
            c = classes[:, i]
            if z.shape[1] == 1:
                # -log p = softplus(z (1 - 2c)): softplus(-z) for c = 1, softplus(z) for c = 0.
                total = total - F.softplus(z[:, 0] * (1 - 2 * c))
            else:
                total = total + torch.log_softmax(z, -1).gather(1, c.long().unsqueeze(1)).squeeze(1)
        return total

    def side_probabilities(self, x):
        """Each side output's probabilities, as mixden's predict gives them: (rows, 1) P(y = 1) or (rows, C)."""
        head = self(self._scale("x", x))
        return [torch.sigmoid(z) if z.shape[1] == 1 else torch.softmax(z, -1) for z in self._side_logits(head)]

    def _scale(self, which, values):
        s = (self.scaling or {}).get(which)
        if s is None:
            return values
        values = torch.log(values) if s["log"] else values
        return (values - torch.tensor(s["shift"], dtype=values.dtype)) / torch.tensor(s["scale"], dtype=values.dtype)

    def log_prob_scaled(self, head, y):
        """log p(y | head) per row for scaled targets y (rows, D)."""
        a = self.architecture
        family = a.get("family", "gaussian")
        logits, mu, scale, lower = self._parts(head)
        residual = y.unsqueeze(1) - mu
        if family == "von-mises":
            # Angles: kappa = 1/sigma^2; log I0(kappa) = log(i0e(kappa)) + kappa, so nothing overflows.
            kappa = scale ** -2
            per_dim = kappa * (torch.cos(residual) - 1) - math.log(2 * math.pi) - torch.log(torch.special.i0e(kappa))
            component = per_dim.sum(-1)
        elif family == "gaussian-full":
            z = torch.linalg.solve_triangular(self._factor(scale, lower), residual.unsqueeze(-1), upper=False).squeeze(-1)
            component = -0.5 * math.log(2 * math.pi) * y.shape[-1] - torch.log(scale).sum(-1) - 0.5 * (z * z).sum(-1)
        else:
            u = residual / scale
            if family == "gaussian":
                per_dim = -0.5 * math.log(2 * math.pi) - 0.5 * u * u
            elif family == "laplace":
                per_dim = -math.log(2) - u.abs()
            elif learned_nu(a):
                nu = lower
                per_dim = torch.lgamma((nu + 1) / 2) - torch.lgamma(nu / 2) - 0.5 * torch.log(nu * math.pi) - (nu + 1) / 2 * torch.log1p(u * u / nu)
            else:
                nu = a["degreesOfFreedom"]
                per_dim = math.lgamma((nu + 1) / 2) - math.lgamma(nu / 2) - 0.5 * math.log(nu * math.pi) - (nu + 1) / 2 * torch.log1p(u * u / nu)
            component = (per_dim - torch.log(scale)).sum(-1)
        return torch.logsumexp(torch.log_softmax(logits, -1) + component, -1)

    def log_prob(self, x, y):
        """log p(y | x) per row, nats, in original units (the change of variables of the scalers included); with
        side outputs, y's rows carry their classes after the outputDim values."""
        d = self.architecture["outputDim"]
        head = self(self._scale("x", x))
        classes, y = y[:, d:], y[:, :d]
        lp = self.log_prob_scaled(head, self._scale("y", y))
        if classes.shape[1]:
            lp = lp + self.side_log_prob(head, classes)
        s = (self.scaling or {}).get("y")
        if s is not None:
            lp = lp - sum(math.log(v) for v in s["scale"])
            if s["log"]:
                lp = lp - torch.log(y).sum(-1)
        return lp

    def mixture(self, x):
        """pi (rows, K), mu and sigma (rows, K, D) and, for gaussian-full, lower (rows, K, D(D-1)/2) (for learned
        degrees of freedom, nu (rows, K, D) in its place), in original units (of log y where the model
        log-transforms its targets), as mixden's predict returns them."""
        logits, mu, scale, lower = self._parts(self(self._scale("x", x)))
        s = (self.scaling or {}).get("y")
        if s is not None:
            shift = torch.tensor(s["shift"], dtype=mu.dtype)
            factor = torch.tensor(s["scale"], dtype=mu.dtype)
            mu, scale = mu * factor + shift, scale * factor
            if lower.shape[-1] and not learned_nu(self.architecture):
                rows, _ = torch.tril_indices(len(s["scale"]), len(s["scale"]), offset=-1)
                lower = lower * factor[rows]
        return torch.softmax(logits, -1), mu, scale, lower

    def sample(self, x, n, temperature=1.0, sigma_temperature=1.0, generator=None):
        """n draws of y per row (rows, n, D + side outputs), in original units, each side output's class after the
        continuous values (from its logits divided by ``temperature``). ``generator`` seeds the component choice and
        the normal and uniform draws; Student-t components' chi-square draws follow torch's global seed."""
        head = self(self._scale("x", x))
        draws = self._sample_continuous(head, n, temperature, sigma_temperature, generator)
        sides = [self._sample_side(z, n, temperature, generator) for z in self._side_logits(head)]
        return torch.cat([draws, *sides], -1) if sides else draws

    def _sample_side(self, z, n, temperature, generator):
        """(rows, n, 1) classes of one side output from its logits z (rows, 1 or C)."""
        rows = z.shape[0]
        if z.shape[1] == 1:
            if temperature <= 0:
                return (z > 0).to(z.dtype).expand(rows, n).unsqueeze(-1)
            p = torch.sigmoid(z / temperature).expand(rows, n)
            return (torch.rand(rows, n, generator=generator, dtype=z.dtype) < p).to(z.dtype).unsqueeze(-1)
        if temperature <= 0:
            return z.argmax(-1, keepdim=True).expand(rows, n).unsqueeze(-1).to(z.dtype)
        return torch.multinomial(torch.softmax(z / temperature, -1), n, replacement=True, generator=generator).unsqueeze(-1).to(z.dtype)

    def _sample_continuous(self, head, n, temperature, sigma_temperature, generator):
        a = self.architecture
        family = a.get("family", "gaussian")
        logits, mu, scale, lower = self._parts(head)
        rows, k, d = mu.shape
        if temperature <= 0:
            chosen = logits.argmax(-1, keepdim=True).expand(rows, n)
        else:
            chosen = torch.multinomial(torch.softmax(logits / temperature, -1), n, replacement=True, generator=generator)
        pick = lambda t: torch.gather(t, 1, chosen.unsqueeze(-1).expand(rows, n, t.shape[-1]))
        mu_n, scale_n, lower_n = pick(mu), pick(scale), pick(lower)
        if family == "von-mises":
            # torch's von Mises sampler takes no generator: these draws follow torch's global seed. Into (-pi, pi].
            if sigma_temperature <= 0:
                return math.pi - torch.remainder(math.pi - mu_n, 2 * math.pi)
            theta = torch.distributions.VonMises(mu_n, (scale_n * sigma_temperature) ** -2).sample()
            return math.pi - torch.remainder(math.pi - theta, 2 * math.pi)
        if family == "laplace":
            v = torch.rand(rows, n, d, generator=generator, dtype=mu.dtype) - 0.5
            z = -torch.sign(v) * torch.log1p(-2 * v.abs())
        elif family == "student-t":
            nu = lower_n if learned_nu(a) else a["degreesOfFreedom"]
            normal = torch.randn(rows, n, d, generator=generator, dtype=mu.dtype)
            # torch's gamma sampler takes no generator: this draw follows torch's global seed (torch.manual_seed).
            chi2 = 2 * torch._standard_gamma((lower_n / 2) if learned_nu(a) else torch.full((rows, n, d), nu / 2, dtype=mu.dtype))
            z = normal / torch.sqrt(chi2 / nu)
        else:
            z = torch.randn(rows, n, d, generator=generator, dtype=mu.dtype)
        if family == "gaussian-full":
            step = (self._factor(scale_n, lower_n) @ z.unsqueeze(-1)).squeeze(-1)
        else:
            step = scale_n * z
        scaled = mu_n + sigma_temperature * step
        s = (self.scaling or {}).get("y")
        if s is None:
            return scaled
        y = scaled * torch.tensor(s["scale"], dtype=mu.dtype) + torch.tensor(s["shift"], dtype=mu.dtype)
        return torch.exp(y) if s["log"] else y


    # Sequence models -------------------------------------------------------------------------------------

    def _sequence_parts(self):
        a = self.architecture
        if "sequence" not in a:
            raise ValueError("this is a model of independent rows (its architecture has no 'sequence')")
        return a["outputDim"] + len(a.get("sideOutputs") or []), a["sequence"].get("conditionDim", 0)

    def sequence_inputs(self, y, condition=None):
        """Every step's input (batch, steps, inputDim) of sequences y (batch, steps, outputDim + side outputs):
        the previous step's row (zeros at the first step), then the sequence's condition (batch, conditionDim)."""
        _, condition_dim = self._sequence_parts()
        previous = torch.cat([torch.zeros_like(y[:, :1]), y[:, :-1]], 1)
        if not condition_dim:
            return previous
        return torch.cat([previous, condition.to(y.dtype).unsqueeze(1).expand(-1, y.shape[1], -1)], -1)

    def sequence_log_prob(self, y, condition=None):
        """log p(y_t | y_<t, condition) at every step (batch, steps), nats. y (batch, steps, outputDim + side
        outputs) holds sequences padded after their ends: a step depends only on the steps before it, so the
        values of padded steps are to be ignored (mixden's ``evaluate`` is their mean over the valid steps)."""
        return self.steps_log_prob(self.sequence_inputs(y, condition), y)

    def steps_log_prob(self, x, y):
        """log p(y_t | x_<=t) at every step (batch, steps) of windows x (batch, steps, inputDim), each from a
        zero state, with targets y (batch, steps, outputDim + side outputs)."""
        self._sequence_parts()
        return self.target_log_prob(self(x), y)

    def target_log_prob(self, head, y):
        """log p of target rows y (..., scaled outputDim values then side outputs' classes) from the raw head
        (..., head width), over any leading shape."""
        shape = y.shape[:-1]
        head, y = head.reshape(-1, head.shape[-1]), y.reshape(-1, y.shape[-1])
        d = self.architecture["outputDim"]
        lp = self.log_prob_scaled(head, y[:, :d])
        if y.shape[1] > d:
            lp = lp + self.side_log_prob(head, y[:, d:])
        return lp.reshape(shape)

    def sequence_windows(self, y, condition, lengths, window=None):
        """Sequences cut as mixden trains them: windows of ``window`` steps (default: the longest sequence), each
        from a zero state and fed its true previous step: (inputs, targets, mask), windows past every sequence's
        end left out."""
        x = self.sequence_inputs(y, condition)
        steps = y.shape[1]
        window = window or steps
        pad = -steps % window
        mask = (torch.arange(steps + pad).unsqueeze(0) < lengths.unsqueeze(1)).to(y.dtype)
        cut = lambda t: F.pad(t, (0, 0, 0, pad)).reshape(-1, window, t.shape[-1])
        x, y, mask = cut(x), cut(y), mask.reshape(-1, window)
        keep = mask[:, 0] > 0
        return x[keep], y[keep], mask[keep]

    def generate(self, count=1, max_steps=100, condition=None, temperature=1.0, sigma_temperature=1.0, stop=None, generator=None, prime=None):
        """``count`` sequences drawn step by step, each step's draw the next step's input, as mixden's
        ``generate``: ``condition`` (conditionDim,) for all or (count, conditionDim); ``stop`` (column, value)
        ends a sequence at the step whose draw has that value there; ``prime`` (steps, width) for all or (count,
        steps, width): steps walked first as if drawn, which the generated ones continue (not returned). A list
        of (steps, width) tensors."""
        width, condition_dim = self._sequence_parts()
        dtype = self.head.weight.dtype
        condition = torch.zeros(condition_dim, dtype=dtype) if condition is None else torch.as_tensor(condition, dtype=dtype)
        condition = condition.expand(count, condition_dim) if condition.dim() == 1 else condition
        previous, states, steps = torch.zeros(count, width, dtype=dtype), None, []
        lengths = torch.full((count,), max_steps)
        finished = torch.zeros(count, dtype=torch.bool)
        with torch.no_grad():
            if prime is not None:
                prime = torch.as_tensor(prime, dtype=dtype)
                prime = prime.expand(count, *prime.shape) if prime.dim() == 2 else prime
                for t in range(prime.shape[1]):
                    _, states = self.run(torch.cat([previous, condition], -1).unsqueeze(1), states)
                    previous = prime[:, t]
            for t in range(max_steps):
                head, states = self.run(torch.cat([previous, condition], -1).unsqueeze(1), states)
                head = head[:, 0]
                draws = self._sample_continuous(head, 1, temperature, sigma_temperature, generator)
                sides = [self._sample_side(z, 1, temperature, generator) for z in self._side_logits(head)]
                previous = torch.cat([draws, *sides], -1)[:, 0]
                steps.append(previous)
                if stop is not None:
                    now = (previous[:, stop[0]] == stop[1]) & ~finished
                    lengths[now] = t + 1
                    finished |= now
                    if finished.all():
                        break
        drawn = torch.stack(steps, 1)
        return [drawn[n, : min(int(lengths[n]), drawn.shape[1])] for n in range(count)]


def fit_scaler(values, kind, log=False):
    """mixden's scaler of a column block (rows, cols): scaled = (v - shift) / scale, zscore with 1/n."""
    v = torch.log(values) if log else values
    v = v.double()
    if kind == "zscore":
        shift, scale = v.mean(0), v.std(0, unbiased=False)
    elif kind == "minmax":
        shift, scale = v.min(0).values, v.max(0).values - v.min(0).values
    else:
        shift, scale = torch.zeros(v.shape[1], dtype=v.dtype), torch.ones(v.shape[1], dtype=v.dtype)
    scale = torch.where(scale == 0, torch.ones_like(scale), scale)
    return {"kind": kind, "log": log, "shift": shift.tolist(), "scale": scale.tolist()}


# The safetensors container -------------------------------------------------------------------------------

def _layer_entries(model):
    entries = []
    layers = [*model.trunk, model.head]
    for i, layer in enumerate(layers):
        prefix = "head" if i == len(layers) - 1 else f"trunk.{i}"
        names = [f"{prefix}.weight", f"{prefix}.bias"]
        if isinstance(layer, nn.Linear):
            activation = model.activations[i] if i < len(model.trunk) else "identity"
            entries.append({"inputs": layer.in_features, "outputs": layer.out_features, "activation": activation, "tensors": names})
        elif isinstance(layer, (nn.LSTM, nn.GRU)):
            kind = "lstm" if isinstance(layer, nn.LSTM) else "gru"
            names = [f"{prefix}.{name}" for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")]
            entries.append({"kind": kind, "inputs": layer.input_size, "outputs": layer.hidden_size, "tensors": names})
        else:
            width = layer.normalized_shape[0]
            entries.append({"kind": "layerNorm", "inputs": width, "outputs": width, "tensors": names})
    return entries


def save_file(model, path, metadata=None, manifest=None):
    """Writes the model as a mixden model file. ``manifest``: one read from a file, kept (its architecture,
    scalers and application metadata) with its layer table refreshed; otherwise one is made."""
    if manifest is None:
        manifest = {"format": MANIFEST_FORMAT, "version": MANIFEST_VERSION, "architecture": model.architecture}
        if model.scaling is not None:
            manifest["scaling"] = model.scaling
        if metadata is not None:
            manifest["metadata"] = metadata
    manifest = dict(manifest, layers=_layer_entries(model))
    tensors = {name: t.detach().to(torch.float32).contiguous() for name, t in model.state_dict().items()}
    order = [name for entry in manifest["layers"] for name in entry["tensors"]]
    header = {"__metadata__": {"format": "pt", "mixden": json.dumps(manifest, separators=(",", ":"), ensure_ascii=False)}}
    offset = 0
    for name in order:
        size = tensors[name].numel() * 4
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for name in order:
            out.write(tensors[name].numpy().astype("<f4").tobytes())


def read_file(path):
    """The manifest and the float32 tensors of a mixden model file (safetensors)."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    if length > min(16 * 2**20, len(data) - 8):
        raise ValueError(f"{path}: not a safetensors file (header length {length})")
    header = json.loads(data[8 : 8 + length])
    manifest = json.loads(header.get("__metadata__", {}).get("mixden", "null"))
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT or manifest.get("version") != MANIFEST_VERSION:
        raise ValueError(f"{path}: not a mixden model file (safetensors with a version {MANIFEST_VERSION} mixden manifest)")
    start = 8 + length
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} is {entry['dtype']}, not F32")
        begin, end = entry["data_offsets"]
        values = torch.frombuffer(bytearray(data[start + begin : start + end]), dtype=torch.float32)
        tensors[name] = values.reshape(entry["shape"])
    return manifest, tensors


def load_file(path):
    """A MixdenMdn from a mixden model file, and its manifest (for save_file to keep)."""
    manifest, tensors = read_file(path)
    model = MixdenMdn(manifest["architecture"], manifest.get("scaling"))
    model.load_state_dict(tensors, strict=True)
    return model, manifest
