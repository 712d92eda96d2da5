"""The fast training kernel: article 001's LSTM, fused and tuned for speed.

The same equations as lstm_course.core.lstm (the readable LSTM, which the lessons read), and
tested equal to it to 1e-12 in float64; the catalogue proves both.  What differs is only how
the work is laid out:

* the four gates are fused into one (4H, ·) matrix in the order of core.params.GATES, so a
  time step costs one matrix product, and the input projection of all steps (for one-hot
  ids, a row gather) is hoisted out of the loop;
* σ(a) is computed as ½ + ½ tanh(a/2) with the inner ½ folded into the weights once per call,
  so all four gates take one tanh call (:func:`_numpy_make_gates`);
* forward keeps the gates, C_t and h_t of every step; backward walks back in chunks of steps,
  recomputing tanh(C_t) and, when dhs is a function, taking the readout's gradient one chunk
  at a time, and adds each chunk's weight gradients with one product;
* both accept a :class:`lstm_course.hamlet.workspace.Workspace`, so a training loop reuses its
  buffers instead of page-faulting new ones every step.

"One formula, two uses": the elementwise parts of a step (:func:`step_forward`,
:func:`local_factors`, :func:`step_backward`) are plain ufuncs writing into given arrays, with
the nonlinearities passed in ``ops``, so they run on numpy object arrays of SymPy expressions
too (lstm_course.proofs.cell passes SymPy's): the catalogue proves this code, not a copy.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from ..core import activations
from ..core.params import GATES, check_params, fuse, split
from ..core.validation import check_array, check_positive_int
from .workspace import Workspace, empty

__all__ = ["Elementwise", "NUMPY_OPS", "CHUNK_BYTES", "forward", "backward", "gates_at",
           "cell_tanh", "step_forward", "local_factors", "step_backward"]

CHUNK_BYTES = 2 << 20         # backward's default chunk: steps whose local factors fill ~2 MiB


class Elementwise(NamedTuple):
    """The nonlinearities a step uses: numpy's by default, SymPy's for the proofs.

    tanh_into     : tanh_into(x, out) writes tanh(x) into out (np.tanh itself for numpy)
    make_gates    : make_gates(H, dtype) -> (gates, scale).  gates(a, out) writes the
                    activated gates [σ(a_f), σ(a_i), tanh(a_c), σ(a_o)] into out (B, 4H), given
                    a = scale ⊙ (W Z + b); scale (4H,) is None or a constant that forward folds
                    into the weights once, so the loop does not pay for it.
    """

    tanh_into: Callable
    make_gates: Callable


def _numpy_make_gates(H: int, dtype):
    """All four gates with one tanh call: σ(a) = ½ + ½ tanh(a / 2).

    With S = [½, ½, 1, ½] and O = [½, ½, 0, ½] per block of H, gates = tanh(S a) S + O; the
    factor S inside is returned as the scale, folded into the weights by forward.
    Same limits as activations.sigmoid (σ(±1e4) is exactly 1 and 0), no overflow for any
    finite a, absolute error within a few float ulps of activations.sigmoid.
    """
    S = np.repeat(np.array([0.5, 0.5, 1.0, 0.5], dtype=dtype), H)  # (4H,)
    O = np.repeat(np.array([0.5, 0.5, 0.0, 0.5], dtype=dtype), H)  # (4H,)

    def gates(scaled_a, out):
        np.tanh(scaled_a, out)                # output arrays passed by position: in the
        np.multiply(out, S, out)              # per-step loops that is measurably cheaper
        np.add(out, O, out)                   # than out= (about 0.07 µs a call)
    return gates, S


NUMPY_OPS = Elementwise(tanh_into=np.tanh, make_gates=_numpy_make_gates)


def step_forward(a, c_prev, gates_fn, tanh_into, gates, f, i, c_tilde, o, c, tanh_c, h,
                 tmp) -> None:
    """One step from the (scaled) pre-activations, written into preallocated arrays.

    a (B, 4H): a_g = W_g Z_t + b_g in row order f, i, c~, o (times make_gates' scale);
    c_prev (B, H).  Writes gates (B, 4H), whose blocks f, i, c_tilde, o (B, H) are passed as
    views too, c = f * c_prev + i * c~, tanh_c = tanh(c) and h = o * tanh_c (each (B, H));
    tmp (B, H) is scratch.  Plain ufuncs writing into their third (output) argument, so it runs
    on float arrays and on object arrays of SymPy expressions alike.
    """
    gates_fn(a, gates)
    np.multiply(f, c_prev, c)             # f_t * C_{t-1}
    np.multiply(i, c_tilde, tmp)          # i_t * c~_t
    np.add(c, tmp, c)                     # C_t
    tanh_into(c, tanh_c)
    np.multiply(o, tanh_c, h)             # h_t = o_t * tanh(C_t)


def _blocks(gates):
    """The four gate blocks of (..., 4H) gates as views (..., H): f, i, c~, o."""
    H = gates.shape[-1] // 4
    return tuple(gates[..., k * H:(k + 1) * H] for k in range(4))


def local_factors(gates, c_prev, tanh_c, out=None):
    """The local derivatives of a step, for any number of leading axes (..., ·).

    gates (..., 4H) = [f, i, c~, o]; c_prev, tanh_c (..., H); out: None, or arrays (P, K) of
    the shapes below to write into.  Returns (P, K):
      K (..., H)  = o ⊙ (1 - tanh² C_t)                         ∂h_t/∂C_t
      P (..., 4H) = [C_{t-1} ⊙ f(1-f), c~ ⊙ i(1-i), i ⊙ (1-c~²), tanh C_t ⊙ o(1-o)]
                    = ∂C_t/∂a_f, ∂C_t/∂a_i, ∂C_t/∂a_c, ∂h_t/∂a_o
    written with article 004's derivatives on activated outputs (σ' = s(1-s), tanh' = 1-t²).
    """
    f, i, c_tilde, o = _blocks(gates)
    dtype = np.result_type(gates, c_prev)
    if out is None:
        out = (np.empty(gates.shape, dtype=dtype), np.empty(tanh_c.shape, dtype=dtype))
    P, K = out                                                # (..., 4H), (..., H)
    activations.tanh_grad_from_output(tanh_c, out=K)
    K *= o
    P_f, P_i, P_c, P_o = _blocks(P)
    # s(1-s) over all four blocks at once: contiguous passes, measured faster than strided
    # passes over the three sigmoid blocks alone; the candidate's block is replaced below
    activations.sigmoid_grad_from_output(gates, out=P)
    P_f *= c_prev
    P_i *= c_tilde
    activations.tanh_grad_from_output(c_tilde, out=P_c)
    P_c *= i
    P_o *= tanh_c
    return P, K


def step_backward(dh, dc, dc3, P3, P_o, K, f, da3, da_o) -> None:
    """One step of backpropagation, in place.

    dh (B, H)   : total dJ/dh_t (from the readout and from step t+1); used as scratch after
    dc (B, H)   : on entry dJ/dC_t from step t+1 (the clubbed term dJ/dC_{t+1} ⊙ f_{t+1});
                  on exit dJ/dC_{t-1} = dJ/dC_t ⊙ f_t;  dc3 = dc[:, None, :], the same memory
    P3 (B, 3, H), P_o (B, H), K (B, H): this step's local factors (local_factors), the first
                  three blocks of P seen as (B, 3, H); f (B, H) this step's forget gate
    da3 (B, 3, H), da_o (B, H): receive dJ/da_g = [dJ/dC_t ⊙ P_f, ⊙ P_i, ⊙ P_c] and dJ/dh_t ⊙ P_o
    """
    np.multiply(dh, P_o, da_o)                           # da_o
    np.multiply(dh, K, dh)
    np.add(dc, dh, dc)                                   # dJ/dC_t (clubbed)
    np.multiply(P3, dc3, da3)                            # da_f, da_i, da_c
    np.multiply(dc, f, dc)                               # dJ/dC_{t-1}


def _backward_views(P, da, gates):
    """(P3, P_o, da3, da_o, f) views of (..., 4H) P, da and gates for step_backward."""
    H = gates.shape[-1] // 4
    lead = P.shape[:-1]
    return (P[..., :3 * H].reshape(*lead, 3, H), P[..., 3 * H:],
            da[..., :3 * H].reshape(*lead, 3, H), da[..., 3 * H:], gates[..., :H])


def _initial_state(state, name: str, B: int, H: int, dtype) -> np.ndarray:
    """A (B, H) copy of ``state`` (zeros when None): the cache never aliases the caller's array."""
    if state is None:
        return np.zeros((B, H), dtype=dtype)  # (B, H)
    return np.array(check_array(state, name, shape=(B, H), dtype=dtype))


def _check_inputs(xs, D: int, dtype) -> np.ndarray:
    """xs: (T, B, D) of the model's dtype, or (T, B) integer ids meaning one-hot vectors."""
    arr = np.asarray(xs) if isinstance(xs, (list, tuple)) else xs
    if isinstance(arr, np.ndarray) and arr.dtype.kind in "iu":
        if arr.ndim != 2:
            raise ValueError(f"xs of integer dtype {arr.dtype} must be (T, B) one-hot ids, got "
                             f"shape {arr.shape}; (T, B, D) inputs must be of the model's dtype "
                             f"{dtype}")
        if arr.size == 0:
            raise ValueError(f"xs is empty (shape {arr.shape}): every dimension must be at least 1")
        if arr.min() < 0 or arr.max() >= D:
            raise ValueError(f"xs holds integer ids (one-hot inputs) that must lie in [0, {D}), "
                             f"got values from {arr.min()} to {arr.max()}")
        return arr.astype(np.int64, copy=False)
    return check_array(arr, "xs", ndim=3, last_dim=D, dtype=dtype)


def forward(params: dict, xs, h0=None, c0=None, *, ops: Elementwise = NUMPY_OPS,
            workspace: Workspace | None = None):
    """Run the LSTM over a batch of sequences.

    params    : per-gate dict from :func:`lstm_course.core.params.init_params` (one dtype)
    xs        : (T, B, D) inputs of the params' dtype, or (T, B) integer ids in [0, D) standing
                for one-hot vectors (then the input product is a row gather, no multiplication)
    h0, c0    : (B, H) initial hidden and cell state, zeros when None
    ops       : the nonlinearities (leave the default; lstm_course.proofs.cell passes SymPy's)
    workspace : a :class:`lstm_course.hamlet.workspace.Workspace` whose buffers hold the cache, hs and
                cs, so a training loop does not allocate them every step; the next call with
                the same workspace overwrites them (and backward then refuses the old cache).
                None: new arrays.

    Returns (hs, cs, cache): hs and cs are (T, B, H), read-only views of the cache (copy them to
    change them); cache is what backward needs.
    A float32 model on float32 inputs computes and returns float32.
    """
    H, D, dtype = check_params(params)
    xs = _check_inputs(xs, D, dtype)
    T, B = xs.shape[:2]
    h0 = _initial_state(h0, "h0", B, H, dtype)
    c0 = _initial_state(c0, "c0", B, H, dtype)

    gates_fn, scale = ops.make_gates(H, dtype)
    if scale is None:
        scale = np.ones(4 * H, dtype=dtype)                   # (4H,) (the SymPy gates)
    # the gates' scale folded into transposed, fused copies of the weights, once per call:
    # W_hT (H, 4H) acts on h_{t-1}, W_xT (D, 4H) on x_t; gate g owns columns g*H:(g+1)*H
    W_hT = empty(workspace, "lstm.W_hT", (H, 4 * H), dtype)
    W_xT = empty(workspace, "lstm.W_xT", (D, 4 * H), dtype)
    for k, g in enumerate(GATES):
        cols = slice(k * H, (k + 1) * H)
        np.multiply(params[f"W_{g}"][:, :H].T, scale[cols], out=W_hT[:, cols])
        np.multiply(params[f"W_{g}"][:, H:].T, scale[cols], out=W_xT[:, cols])
    b_s = np.concatenate([params[f"b_{g}"] for g in GATES]) * scale  # (4H,) scaled biases
    # gates (T, B, 4H) first holds the input part of every pre-activation, hoisted out of the
    # loop; each step adds the recurrent part and activates its row in place
    gates = empty(workspace, "lstm.gates", (T, B, 4 * H), dtype)
    if xs.ndim == 2:                                          # one-hot ids: gather rows
        W_xT += b_s                                           # (D, 4H) table: row d = a for x = e_d
        # ids were checked; mode="clip" writes straight into out (the default mode="raise"
        # would first build a temporary copy of the whole (T, B, 4H) output)
        np.take(W_xT, xs, axis=0, out=gates, mode="clip")
    else:
        np.matmul(xs.reshape(T * B, D), W_xT, out=gates.reshape(T * B, 4 * H))
        gates += b_s                                          # (T, B, 4H)
    cs = empty(workspace, "lstm.cs", (T, B, H), dtype)
    hs = empty(workspace, "lstm.hs", (T, B, H), dtype)
    a = empty(workspace, "lstm.a", (B, 4 * H), dtype)         # scratch: recurrent part
    tanh_c = empty(workspace, "lstm.tanh_c", (B, H), dtype)   # scratch: tanh(C_t)
    tmp = empty(workspace, "lstm.tmp", (B, H), dtype)         # scratch
    tanh_into = ops.tanh_into
    h, c = h0, c0
    # iterating over arrays hands out each step's views without Python-level slicing
    for g, f, i, c_tilde, o, c_t, h_t in zip(gates, *_blocks(gates), cs, hs):
        np.dot(h, W_hT, a)                                    # (B, 4H); dot: less overhead
        np.add(g, a, g)                                       # pre-activations of step t
        step_forward(g, c, gates_fn, tanh_into, g, f, i, c_tilde, o, c_t, tanh_c, h_t, tmp)
        h, c = h_t, c_t
    # tanh(C_t) is not kept: backward recomputes it a chunk at a time with the same tanh_into.
    # A copy of the parameters (fused, (4H, H + D) and (4H,)) lets backward refuse others
    W_used, b_used = fuse(params, out=(empty(workspace, "lstm.W_used", (4 * H, H + D), dtype),
                                       empty(workspace, "lstm.b_used", (4 * H,), dtype)))
    cache = {"xs": xs, "h0": h0, "c0": c0, "gates": gates, "cs": cs, "hs": hs,
             "tanh_into": tanh_into, "W_used": W_used, "b_used": b_used}
    if workspace is not None:                 # the cache lives in the workspace until the next call
        workspace.forward_calls += 1
        cache["workspace"] = (workspace, workspace.forward_calls)
    return _read_only(hs), _read_only(cs), cache


def gates_at(cache: dict, t: int) -> dict:
    """Step t's activated gates from a forward cache: {"f", "i", "c_tilde", "o"}, each (B, H)."""
    f, i, c_tilde, o = _blocks(cache["gates"][t])
    return {"f": f, "i": i, "c_tilde": c_tilde, "o": o}


def cell_tanh(cache: dict, start: int, end: int, out=None) -> np.ndarray:
    """tanh(C_t) for steps start..end-1 of a forward cache, (end-start, B, H).

    forward does not keep tanh(C_t) (backward recomputes it a chunk at a time); this computes
    it with the nonlinearity forward ran with (numpy's, or SymPy's for the proofs), into out
    when given.
    """
    cs = cache["cs"][start:end]                               # (n, B, H)
    if out is None:
        out = np.empty(cs.shape, dtype=cs.dtype)
    cache["tanh_into"](cs, out)
    return out


def _read_only(arr: np.ndarray) -> np.ndarray:
    """A view that cannot be written, so that changing an output cannot corrupt the cache."""
    view = arr.view()
    view.flags.writeable = False
    return view


def _shifted(first, rest, start: int, end: int, out):
    """Steps start..end-1 of the sequence [first, rest[0], rest[1], ...] (the previous state):
    a view of rest when start > 0, else first followed by rest[:end-1], written into out."""
    if start > 0:
        return rest[start - 1:end - 1]
    out[0] = first
    out[1:end] = rest[:end - 1]
    return out[:end]


def _dhs_getter(dhs, T: int, B: int, H: int, dtype):
    """get(start, end) -> dhs[start:end] (n, B, H), for an array or a function of (start, end)."""
    if callable(dhs):
        def get(start, end):  # shape and dtype checked; values are the caller's function's
            block = dhs(start, end)
            if not (isinstance(block, np.ndarray) and block.shape == (end - start, B, H)
                    and block.dtype == dtype):
                raise ValueError(f"dhs({start}, {end}) must return a {np.dtype(dtype)} array of "
                                 f"shape {(end - start, B, H)}, got "
                                 + (f"{block.dtype} {block.shape}"
                                    if isinstance(block, np.ndarray) else type(block).__name__))
            return block
        return get
    dhs = check_array(dhs, "dhs", shape=(T, B, H), dtype=dtype)
    return lambda start, end: dhs[start:end]


def _check_same_params(params: dict, W_used, b_used, H: int, D: int, dtype) -> None:
    """Refuse params that differ from the ones forward ran with (W_used, b_used: its fused copy).

    Exact: every value compared (numbers, or SymPy expressions structurally), a few passes
    over the weights, small beside a step.  Backward with other weights than forward's would
    return gradients of no function at all: wrong, with no error.
    """
    H_used, D_used = W_used.shape[0] // 4, W_used.shape[1] - W_used.shape[0] // 4
    if (H, D) != (H_used, D_used):
        raise ValueError(f"params differ from the ones forward used to make this cache: they have "
                         f"H = {H}, D = {D}, forward's had H = {H_used}, D = {D_used}")
    if np.dtype(dtype) != W_used.dtype:
        raise ValueError(f"params differ from the ones forward used to make this cache: they are "
                         f"{np.dtype(dtype)}, forward's were {W_used.dtype}")
    for k, g in enumerate(GATES):
        rows = slice(k * H, (k + 1) * H)
        for name, part in ((f"W_{g}", W_used[rows]), (f"b_{g}", b_used[rows])):
            if not np.array_equal(params[name], part):
                raise ValueError(f"params differ from the ones forward used to make this cache "
                                 f"(params['{name}'] has other values): pass backward the params "
                                 f"forward ran with, unchanged since")


def backward(params: dict, cache: dict, dhs, dc_last=None, *, chunk: int | None = None,
             workspace: Workspace | None = None) -> dict:
    """Backpropagation through time for :func:`forward`.

    params    : the params forward ran with, unchanged since (an equal copy will do); params
                with other shapes, dtype or values are refused (ValueError)
    cache     : the third value forward returned
    dhs       : (T, B, H) dLoss/dh_t from outside the recurrence (the readout or the loss), or
                a function dhs(start, end) returning its steps start..end-1 as (end-start, B, H)
                (so that the readout's gradient need not exist for all T steps at once)
    dc_last   : (B, H) dLoss/dC_T from outside, zeros when None
    chunk     : steps handled together, from the last back: their tanh(C_t) and local factors
                are built at once and their weight gradients added with one product each
                (memory grows with chunk, not with T); None picks as many steps as fill about
                2 MiB of local factors (B, 4H per step): on the three benchmark configurations
                (B = 1, 32, 64; H = 25, 128, 256) no other size tried was clearly faster
    workspace : a :class:`lstm_course.hamlet.workspace.Workspace` for the chunk buffers (see forward)

    Returns grads with every key of params (same shapes) plus "h0" (B, H), "c0" (B, H) and
    "xs" (T, B, D) — for integer-id inputs "xs" is None (ids have no gradient).  Per-step
    gradients are summed over time (article 001, figure 10).  Nothing passed in is modified,
    and nothing returned lives in the workspace.
    """
    H, D, dtype = check_params(params)
    if not (isinstance(cache, dict) and "W_used" in cache):
        raise TypeError(f"cache must be the cache kernel.forward returned (its third value), got "
                        f"{type(cache).__name__}")
    if "workspace" in cache:
        owner, call = cache["workspace"]
        if owner.forward_calls != call:
            raise ValueError("cache was overwritten: a later kernel.forward used the same workspace "
                             "(run backward before the next forward, or give each its own "
                             "Workspace)")
    _check_same_params(params, cache["W_used"], cache["b_used"], H, D, dtype)
    xs, gates = cache["xs"], cache["gates"]
    T, B = xs.shape[:2]
    dhs_at = _dhs_getter(dhs, T, B, H, dtype)
    if chunk is None:
        chunk = max(1, CHUNK_BYTES // (B * 4 * H * np.dtype(dtype).itemsize))
    chunk = check_positive_int(chunk, "chunk")
    dc = np.array(_initial_state(dc_last, "dc_last", B, H, dtype))  # a copy: dJ/dC_t carried back
    # the recurrent weights fused and contiguous (faster dots): (4H, H)
    W_h = np.concatenate([params[f"W_{g}"][:, :H] for g in GATES], axis=0,
                         out=empty(workspace, "lstm.W_h", (4 * H, H), dtype))

    n_max = min(chunk, T)
    P_buf = empty(workspace, "lstm.P", (n_max, B, 4 * H), dtype)    # local factors, then da
    K_buf = empty(workspace, "lstm.K", (n_max, B, H), dtype)
    tanh_buf = empty(workspace, "lstm.tanh_cs", (n_max, B, H), dtype)  # tanh(C_t), recomputed
    prev_buf = empty(workspace, "lstm.prev", (n_max, B, H), dtype)     # C_{t-1} or h_{t-1}, t < n
    Z = empty(workspace, "lstm.Z", (n_max * B, H + D), dtype)  # a chunk's rows Z_t = [h_{t-1}; x_t]
    dW_chunk = empty(workspace, "lstm.dW_chunk", (4 * H, H + D), dtype)  # one chunk's sum
    zero = np.zeros((), dtype=dtype)[()]                      # 0 of the right kind (float or int)
    dW = np.full((4 * H, H + D), zero, dtype=dtype)           # (4H, H+D), sums over chunks
    db = np.full(4 * H, zero, dtype=dtype)                    # (4H,)
    dxs = None if xs.ndim == 2 else np.empty((T, B, D), dtype=dtype)
    W_x = (None if xs.ndim == 2                               # (4H, D), for dJ/dx_t
           else np.concatenate([params[f"W_{g}"][:, H:] for g in GATES]))
    dh = np.zeros((B, H), dtype=dtype)                        # dJ/dh_t from step t+1, then total
    dc3 = dc[:, None, :]                                      # (B, 1, H) view of dc
    for end in range(T, 0, -chunk):                           # chunks from the last step back
        start = max(0, end - chunk)
        n = end - start
        g = gates[start:end]                                  # (n, B, 4H)
        P, K, tanh_c = P_buf[:n], K_buf[:n], tanh_buf[:n]     # (n, B, 4H), (n, B, H), (n, B, H)
        cell_tanh(cache, start, end, out=tanh_c)
        local_factors(g, _shifted(cache["c0"], cache["cs"], start, end, prev_buf), tanh_c,
                      out=(P, K))
        da = P                  # dJ/da_g overwrites each step's P in place: no second (n, B, 4H)
        steps = zip(*(arr[::-1] for arr in (dhs_at(start, end), da,
                                            *_backward_views(P, da, g), K)))
        for dhs_t, da_t, P3_t, P_o_t, da3_t, da_o_t, f_t, K_t in steps:   # t = end-1 .. start
            np.add(dh, dhs_t, dh)                             # total dJ/dh_t
            step_backward(dh, dc, dc3, P3_t, P_o_t, K_t, f_t, da3_t, da_o_t)
            np.dot(da_t, W_h, dh)                             # dJ/dh_{t-1} through Z_t
        da_flat = da.reshape(n * B, 4 * H)                    # (n*B, 4H)
        Z_n = Z[:n * B]                                       # (n*B, H+D)
        Z_n.reshape(n, B, H + D)[..., :H] = _shifted(cache["h0"], cache["hs"], start, end,
                                                     prev_buf)  # h_{t-1}
        if xs.ndim == 2:                                      # one-hot ids: x_t = e_id
            Z_n[:, H:] = zero
            Z_n[np.arange(n * B), H + xs[start:end].reshape(-1)] = 1
        else:
            Z_n[:, H:] = xs[start:end].reshape(n * B, D)
            np.matmul(da_flat, W_x, out=dxs[start:end].reshape(n * B, D))  # dJ/dx_t (n*B, D)
        np.matmul(da_flat.T, Z_n, out=dW_chunk)               # Σ_t dJ/da_t Z_tᵀ over the chunk
        dW += dW_chunk
        if xs.ndim == 3:
            db += da_flat.sum(axis=0)
    if xs.ndim == 2:
        # every one-hot x_t has a single 1, so Σ_t dJ/da_t = Σ_d dW[:, H + d]: a (4H, D) sum
        # instead of a pass over all T*B rows of dJ/da
        db = dW[:, H:].sum(axis=1)
    grads = {**split(dW, "W"), **split(db, "b")}
    grads["xs"], grads["h0"], grads["c0"] = dxs, dh, dc
    return grads
