"""The character model: LSTM layers, a linear readout and softmax cross-entropy over characters.

Everything runs through the training kernel (lstm_course.hamlet.kernel: forward/backward
over one-hot ids, or over the layer below's h_t) and lstm_course.core.layers; this module adds
the model's check and initialisation, one training step's loss and gradients, held-out
evaluation and sampling with temperature.  Optimisers are lstm_course.hamlet.optim's,
checkpoints lstm_course.hamlet.checkpoint's.

Parameters: the first LSTM's per-gate W_g (H, H + V) and b_g (H,), plus the readout W_v (V, H)
and b_v (V,) — article 001's V_t = W_v h_t + b_v, article 004's "final gate".  A stacked model
adds, for each layer k = 2, 3, ..., the same LSTM again reading the layer below's h_t:
"layer{k}.W_g" (H, H + H) and "layer{k}.b_g" (H,); the readout reads the top layer's h_t.
Dropout, when asked, acts on what one layer hands the next (training only).
"""
from __future__ import annotations

import numpy as np

from ..core import activations
from ..core import layers as core_layers
from ..core.params import GATES, check_params, init_params, layer_key
from ..core.validation import check_positive_int, check_real
from . import kernel, readout
from . import workspace as wsp
from .data import Vocabulary, batches

__all__ = ["NonFiniteLossError", "layer_key", "count_layers", "layer_params", "model_shapes",
           "check_model", "init_model", "stack_forward", "stack_backward", "hidden_states",
           "loss_and_grads", "evaluate", "sample",
           "argmax_accuracy", "sampled_accuracy"]


_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


class NonFiniteLossError(FloatingPointError):
    """Training produced a NaN or infinite loss (the parameters were not updated with it)."""


def count_layers(params: dict) -> int:
    """The LSTM layers of a character model: 1, plus each k = 2, 3, ... with "layer{k}.b_f"."""
    layers = 1
    while layer_key(layers + 1, "b_f") in params:
        layers += 1
    return layers


def layer_params(params: dict, layer: int) -> dict:
    """Layer ``layer``'s per-gate dict {W_g, b_g} as the kernel takes it (the same arrays)."""
    names = (f"{p}_{g}" for g in GATES for p in "Wb")
    return {name: params[layer_key(layer, name)] for name in names
            if layer_key(layer, name) in params}   # a missing array: check_params names it


def model_shapes(vocab_size: int, hidden_size: int, layers: int = 1) -> dict:
    """{name: shape} of every array of a character model with V symbols, H hidden units per
    layer and ``layers`` LSTM layers."""
    V, H = vocab_size, hidden_size
    shapes = {}
    for k in range(1, layers + 1):
        below = V if k == 1 else H                       # what the layer reads: x_t or h_t below
        for g in GATES:
            shapes[layer_key(k, f"W_{g}")] = (H, H + below)
            shapes[layer_key(k, f"b_{g}")] = (H,)
    shapes["W_v"], shapes["b_v"] = (V, H), (V,)
    return shapes


def check_model(params, vocab_size: int, hidden_size: int | None = None,
                layers: int | None = None) -> np.dtype:
    """Check a character model's arrays against its vocabulary and hidden size; return the dtype.

    params      : dict of numpy arrays, exactly the keys of :func:`model_shapes`
    vocab_size  : V, the number of symbols of the vocabulary the model reads and writes
    hidden_size : H; None takes it from params["b_f"]
    layers      : the LSTM layers; None counts them (:func:`count_layers`)
    Every array must be float32 or float64 (all the same), of its shape, and finite
    (NonFiniteLossError otherwise, a FloatingPointError).
    """
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    if hidden_size is None:
        b_f = params.get("b_f")
        hidden_size = b_f.shape[0] if isinstance(b_f, np.ndarray) and b_f.ndim == 1 else 0
    layers = count_layers(params) if layers is None else check_positive_int(layers, "layers")
    shapes = model_shapes(vocab_size, hidden_size, layers)
    missing, extra = sorted(set(shapes) - set(params)), sorted(set(params) - set(shapes))
    if missing or extra:
        raise ValueError(f"params must hold exactly the arrays of a {layers}-layer model; "
                         f"missing {missing}, unexpected {extra}")
    dtype = None
    for name, shape in shapes.items():
        arr = params[name]
        if not isinstance(arr, np.ndarray):
            raise TypeError(f"params[{name!r}] must be a numpy array, got {type(arr).__name__}")
        if arr.dtype not in _FLOAT_DTYPES:
            raise TypeError(f"params[{name!r}] must be float32 or float64, got {arr.dtype}")
        if dtype is not None and arr.dtype != dtype:
            raise TypeError(f"params[{name!r}] is {arr.dtype} while params['W_f'] is {dtype}: "
                            f"every array must have one dtype")
        dtype = arr.dtype
        if arr.shape != shape:
            raise ValueError(f"params[{name!r}] has shape {arr.shape}, expected {shape} for "
                             f"{vocab_size} symbols and hidden size {hidden_size}")
    bad = [name for name in shapes if not np.all(np.isfinite(params[name]))]
    if bad:
        raise NonFiniteLossError(f"params {bad} hold NaN or infinite values")
    return dtype


def init_model(vocab_size: int, hidden_size: int, *, rng: np.random.Generator,
               dtype=np.float32, layers: int = 1) -> dict:
    """LSTM layers (Xavier-uniform weights, zero biases) + readout: a dict of arrays.

    The first layer and the readout are drawn first, so a one-layer model is the same draw
    whatever ``layers`` is; layers 2, 3, ... follow.
    """
    layers = check_positive_int(layers, "layers")
    params = init_params(vocab_size, hidden_size, rng=rng, dtype=dtype)
    params.update(core_layers.init_readout(hidden_size, vocab_size, rng=rng, dtype=dtype))
    for k in range(2, layers + 1):
        upper = init_params(hidden_size, hidden_size, rng=rng, dtype=dtype)
        params.update({layer_key(k, name): arr for name, arr in upper.items()})
    return params


def _state_per_layer(state, name: str, layers: int) -> list:
    """One (B, H) initial state per layer: state is None (zeros), (B, H) for one layer, or
    (layers, B, H) (the kernel checks each layer's shape and dtype)."""
    if state is None:
        return [None] * layers
    arr = np.asarray(state)
    if layers == 1:
        return [state]
    if arr.ndim != 3 or arr.shape[0] != layers:
        raise ValueError(f"{name} of a {layers}-layer model must be ({layers}, B, H), one (B, H) "
                         f"state per layer, got shape {arr.shape}")
    return list(arr)


def _state_out(states: list) -> np.ndarray:
    """The final states as the model takes them back: (B, H) for one layer, else (L, B, H)."""
    return states[0].copy() if len(states) == 1 else np.stack(states)


def _layer_workspace(workspace: wsp.Workspace | None, layer: int):
    """Layer 1 uses the workspace itself, layer k its part "layer{k}" (None stays None)."""
    if workspace is None or layer == 1:
        return workspace
    if not isinstance(workspace, wsp.Workspace):
        raise TypeError(f"workspace must be a lstm_course.hamlet.workspace.Workspace or None, got "
                        f"{type(workspace).__name__}")
    return workspace.part(f"layer{layer}")


def stack_forward(params: dict, inputs, h0s, c0s, masks, *,
                  ops: kernel.Elementwise = kernel.NUMPY_OPS, workspace=None):
    """Every LSTM layer forward, each reading the layer below's h_t (times its mask).

    inputs   : layer 1's input: (T, B) character ids, or (T, B, D) vectors
    h0s, c0s : one initial state per layer, (B, H) or None (zeros)
    masks    : one per layer above the first: (T, B, H) factors on what that layer reads
               (dropout's 0 or 1/(1-p)), or None for none
    ops      : the nonlinearities (leave the default; the catalogue passes SymPy's)
    Returns (hs, caches, h_last, c_last): the top layer's h_t (T, B, H), each layer's
    kernel cache, and each layer's final h_T and C_T (B, H).
    """
    layers = count_layers(params)
    _check_per_layer(h0s, "h0s", layers, "one initial state (or None) per layer")
    _check_per_layer(c0s, "c0s", layers, "one initial state (or None) per layer")
    _check_per_layer(masks, "masks", layers - 1, "one mask (or None) per layer above the first")
    x, caches, h_last, c_last = inputs, [], [], []
    for k in range(1, layers + 1):
        ws = _layer_workspace(workspace, k)
        if k > 1 and masks[k - 2] is not None:                 # x^(k)_t = m ⊙ h^(k-1)_t
            x = np.multiply(x, masks[k - 2], out=wsp.empty(ws, "dropout.x", x.shape, x.dtype))
        hs, cs, cache = kernel.forward(layer_params(params, k), x, h0s[k - 1], c0s[k - 1],
                                       ops=ops, workspace=ws)
        caches.append(cache)
        h_last.append(hs[-1])
        c_last.append(cs[-1])
        x = hs
    return x, caches, h_last, c_last


def stack_backward(params: dict, caches: list, masks, dhs, *, workspace=None) -> dict:
    """Every LSTM layer backward, the top layer first (after :func:`stack_forward`).

    dhs : dJ/dh_t of the top layer from outside (the readout): (T, B, H), or a function of
          (start, end) returning those steps (kernel.backward's convention)
    Layer k's backward returns the gradient of its input x^(k)_t ("xs"); times the mask, that
    is what layer k-1's h_t receives from above, and layer k-1's backward adds its own
    recurrence.  Returns the gradient of every LSTM array (keys as in params) and "xs", the
    gradient of layer 1's input (None for character ids).
    """
    layers = count_layers(params)
    _check_per_layer(caches, "caches", layers, "the caches stack_forward returned, one per layer")
    _check_per_layer(masks, "masks", layers - 1, "the masks stack_forward used")
    grads = {}
    for k in range(layers, 0, -1):                                     # the top layer first
        layer = layer_params(params, k)
        layer_grads = kernel.backward(layer, caches[k - 1], dhs,
                                      workspace=_layer_workspace(workspace, k))
        grads.update({layer_key(k, name): layer_grads[name] for name in layer})
        dx = layer_grads["xs"]                                  # (T, B, D or H), a new array
        if k > 1:                               # dJ/dh^(k-1)_t from above: through x^(k)_t
            if masks[k - 2] is not None:
                dx *= masks[k - 2]
            dhs = dx
    grads["xs"] = dx
    return grads


def _check_per_layer(items, name: str, count: int, what: str) -> None:
    if not isinstance(items, (list, tuple)) or len(items) != count:
        got = (f"{len(items)} of them" if isinstance(items, (list, tuple))
               else type(items).__name__)
        raise ValueError(f"{name} must be a list of {count}: {what}; got {got}")


def _dropout_masks(layers: int, shape: tuple, dtype, dropout: float, rng, workspace) -> list:
    """One inverted-dropout mask per layer above the first, (T, B, H): 0 with probability p,
    else 1/(1-p), drawn from rng."""
    masks = []
    for k in range(2, layers + 1):
        mask = wsp.empty(_layer_workspace(workspace, k), "dropout.mask", shape, dtype)
        rng.random(dtype=mask.dtype, out=mask)                    # uniform in [0, 1)
        np.multiply(mask >= dropout, 1 / (1 - dropout), out=mask)   # 0 or 1/(1-p)
        masks.append(mask)
    return masks


def _forward(params: dict, inputs, h0, c0, *, workspace=None, dropout: float = 0.0, rng=None):
    """stack_forward from a model's state (h0, c0 as the model takes them) and its dropout:
    (hs of the top layer (T, B, H), caches, masks, final h per layer, final c per layer)."""
    layers = count_layers(params)
    h0s, c0s = _state_per_layer(h0, "h0", layers), _state_per_layer(c0, "c0", layers)
    shape = np.shape(inputs)
    if dropout == 0 or len(shape) < 2:          # (bad inputs: kernel.forward says what is wrong)
        masks = [None] * (layers - 1)
    else:
        H, _, dtype = check_params(layer_params(params, 1))
        masks = _dropout_masks(layers, (*shape[:2], H), dtype, dropout, rng, workspace)
    hs, caches, h_last, c_last = stack_forward(params, inputs, h0s, c0s, masks,
                                               workspace=workspace)
    return hs, caches, masks, h_last, c_last


def hidden_states(params: dict, inputs, h0=None, c0=None):
    """Every layer forward over (T, B) character ids (no dropout): what the readout reads.

    h0, c0 : initial states, zeros when None: (B, H) for a one-layer model, (layers, B, H) for
             a stacked one
    Returns (hs, (h_T, c_T)): hs (T, B, H) the top layer's h_t (read-only), and the final
    state of every layer shaped as h0 and c0 (copies), to carry on.
    """
    hs, _, _, h_last, c_last = _forward(params, inputs, h0, c0)
    return hs, (_state_out(h_last), _state_out(c_last))


def loss_and_grads(params: dict, inputs, targets, h0=None, c0=None, *,
                   workspace: wsp.Workspace | None = None, dropout: float = 0.0,
                   rng: np.random.Generator | None = None):
    """Forward, loss and full BPTT over a (T, B) window of character ids.

    inputs, targets : (T, B) int ids; targets[t, b] is the character after inputs[t, b]
    h0, c0          : initial states, zeros when None: (B, H) for a one-layer model,
                      (layers, B, H) for a stacked one
    workspace       : a lstm_course.hamlet.workspace.Workspace reused from step to step by a training
                      loop (the large buffers are then not allocated anew); None: new arrays
    dropout         : p in [0, 1): each unit a layer hands the next is zeroed with probability
                      p and the others scaled by 1/(1-p) (a stacked model only; rng draws which)
    Returns (loss, grads, (h_T, c_T)): loss summed over time and averaged over the batch
    (nats), grads for every key of params, and the final state to carry to the next window
    (copies, shaped as h0 and c0: none of the results lives in the workspace).
    """
    dropout = _check_dropout(dropout, rng)
    if dropout > 0 and count_layers(params) == 1:
        raise ValueError(f"dropout acts between layers: dropout={dropout} needs a model of at "
                         f"least 2 layers (init_model(..., layers=2)); this one has 1")
    hs, caches, masks, h_last, c_last = _forward(params, inputs, h0, c0, workspace=workspace,
                                                 dropout=dropout, rng=rng)   # hs (T, B, H)
    T, B, _ = hs.shape
    W_v = params["W_v"]
    core_layers.check_readout_params(W_v, params["b_v"], hs.shape[-1], hs.dtype)
    targets = core_layers.check_targets(targets, T, B, W_v.shape[0])
    # from here on the arrays are checked or made by forward: the fused readout re-reads none
    logits = readout.logits_into(W_v, params["b_v"], hs,                     # (T, B, V)
                                 out=wsp.empty(workspace, "logits", (T, B, W_v.shape[0]),
                                               W_v.dtype))
    loss, dlogits = readout.cross_entropy_into(logits, targets, out=logits)   # in place
    grads = readout.weight_grads(hs, dlogits)
    # dJ/dh_t of the top layer, made a chunk of steps at a time
    grads.update(stack_backward(params, caches, masks,
                                lambda start, end: readout.grad_hs(W_v, dlogits[start:end]),
                                workspace=workspace))
    return loss, {k: grads[k] for k in params}, (_state_out(h_last), _state_out(c_last))


def _check_dropout(dropout, rng) -> float:
    dropout = check_real(dropout, "dropout", at_least=0)
    if dropout >= 1:
        raise ValueError(f"dropout must lie in [0, 1), got {dropout}")
    if dropout > 0 and not isinstance(rng, np.random.Generator):
        raise TypeError(f"dropout > 0 needs rng, a numpy.random.Generator, got "
                        f"{type(rng).__name__}")
    return dropout


def evaluation_layout(n: int, seq_len: int = 200, batch_size: int = 16) -> tuple[int, int]:
    """(T, B) of the windows evaluate uses for n characters: fewer streams for short texts."""
    B = max(1, min(batch_size, (n - 1) // seq_len))
    return min(seq_len, (n - 1) // B), B


def evaluate(params: dict, ids: np.ndarray, seq_len: int = 200, batch_size: int = 16) -> float:
    """Mean cross-entropy per character (nats) of ``ids``, the state carried across windows."""
    ids = np.asarray(ids)
    if len(ids) < 2:
        raise ValueError(f"ids must hold at least 2 characters to evaluate, got {len(ids)}")
    T, B = evaluation_layout(len(ids), seq_len, batch_size)
    total, count, h, c = 0.0, 0, None, None
    for inputs, targets in batches(ids, T, B):
        hs, (h, c) = hidden_states(params, inputs, h, c)                # hs (T, B, H): top layer
        logits = readout.logits_into(params["W_v"], params["b_v"], hs)
        loss, _ = readout.cross_entropy_into(logits, targets, out=logits)  # Σ over T, mean over B
        total += loss * inputs.shape[1]
        count += inputs.size
    return total / count


def _probabilities(params, ids):
    hs, _ = hidden_states(params, np.asarray(ids).reshape(-1, 1))            # (T, 1, H)
    logits = core_layers.readout_forward(params["W_v"], params["b_v"], hs)[:, 0]  # (T, V)
    return activations.softmax(logits, axis=1)


def argmax_accuracy(params: dict, ids: np.ndarray) -> float:
    """Share of next characters predicted by the most probable character (one sequence)."""
    p = _probabilities(params, ids[:-1])
    return float(np.mean(p.argmax(axis=1) == ids[1:]))


def sampled_accuracy(params: dict, ids: np.ndarray, rng: np.random.Generator) -> float:
    """Article 004's accuracy: each next character drawn from the softmax, compared with the text."""
    p = _probabilities(params, ids[:-1]).astype(np.float64)
    u = rng.random(len(p))[:, None]
    drawn = (np.cumsum(p, axis=1) < u * p.sum(axis=1, keepdims=True)).sum(axis=1)
    return float(np.mean(np.minimum(drawn, p.shape[1] - 1) == ids[1:]))


def sample(params: dict, vocab: Vocabulary, prime: str, length: int, *,
           temperature: float = 1.0, rng: np.random.Generator) -> str:
    """Continue ``prime`` by ``length`` characters drawn from softmax(V_t / temperature).

    params : a character model for ``vocab`` (checked: shapes, dtype, finite weights)
    rng    : a numpy Generator (np.random.default_rng(seed)); the same seed gives the same text
    """
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a data.Vocabulary, got {type(vocab).__name__}")
    check_model(params, len(vocab))
    length = check_positive_int(length, "length")
    temperature = check_real(temperature, "temperature", positive=True)
    if not isinstance(prime, str) or not prime:
        raise ValueError("prime must be a non-empty string (e.g. 'HAMLET:')")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    ids = vocab.encode(prime, name="prime")
    hs, (h, c) = hidden_states(params, ids.reshape(-1, 1))  # h, c: (1, H) or (layers, 1, H)
    top = hs[-1]                                            # (1, H): the top layer's h_t
    out = []
    for _ in range(length):
        logits = (top @ params["W_v"].T + params["b_v"])[0].astype(np.float64)  # (V,)
        p = activations.softmax(logits / temperature)
        k = int(rng.choice(len(p), p=p))
        out.append(k)
        hs, (h, c) = hidden_states(params, np.array([[k]]), h, c)
        top = hs[-1]
    return prime + vocab.decode(np.array(out))
