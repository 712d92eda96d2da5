"""Lesson 06 (Hamlet, character by character): your turn.

The tools of a real character model, each checked against the package's own (hamlet.optim,
core.activations): global-norm clipping, an Adam step, softmax with a temperature, the
gradient one layer of a stack hands the layer below; and the numbers a learner reads off a
trained model: bits, perplexity, one sampled character.
These functions are checked on float64 cases only (their square roots, maxima and
exponentials of arrays are numerics, not algebra worth proving on symbols).
"""
from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np

from ..core.activations import softmax
from ..hamlet import optim
from .framework import Exercise, Slip
from .functions import comparator

HAMLET_NATS = 1.7145        # models/hamlet.npz (the Hamlet-only model): best held-out loss, nats per char


# ----------------------------------------------------------------- global-norm clipping

def _clip_reference(grads, max_norm):
    return optim.clip_by_global_norm(grads, max_norm)[0]


def _clip_cases(ns=None) -> list:
    rng = np.random.default_rng(11)
    big = {"W_f": 3.0 * rng.standard_normal((3, 4)), "b_f": rng.standard_normal(3),
           "W_v": 0.5 * rng.standard_normal((2, 3))}                 # global norm ≈ 10
    small = {"W_f": 0.1 * rng.standard_normal((2, 2)), "b_f": 0.1 * rng.standard_normal(2)}
    lopsided = {"W": np.array([[30.0, -40.0]]), "b": np.array([0.3, -0.4])}   # norms 50, 0.5
    return [(big, 5.0), (small, 5.0), (lopsided, 1.0)]


def _clip_per_array(grads, max_norm):
    return {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()}


def _clip_elementwise(grads, max_norm):
    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}


def _clip_always(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    return {k: g * max_norm / norm for k, g in grads.items()}


def _clip_no_sqrt(grads, max_norm):
    squares = sum(np.sum(g ** 2) for g in grads.values())
    return {k: g * min(1.0, max_norm / squares) for k, g in grads.items()}


def _clip_solution(ns):
    def clip_by_global_norm(grads, max_norm):
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))   # one norm for all
        scale = min(1.0, max_norm / norm)
        return {k: g * scale for k, g in grads.items()}
    return clip_by_global_norm



# ----------------------------------------------------------------- the gradient from above

P_DROP = 0.25                # the dropout of the exercise's mask: entries 0 or 1 / (1 - p)


def _from_above_cases(ns=None) -> list:
    rng = np.random.default_rng(14)
    cases = []
    for B, H in ((2, 3), (1, 4)):
        W2 = rng.standard_normal((4 * H, 2 * H))           # layer 2's fused [W_h | W_x], rows f, i, c, o
        da2 = rng.standard_normal((B, 4 * H))              # dJ/da^(2)_t
        mask = (rng.random((B, H)) >= P_DROP) / (1 - P_DROP)   # what dropout kept, scaled
        cases.append((W2, da2, mask))
    return cases


def _from_above_reference(W2, da2, mask):
    H = W2.shape[1] // 2
    return (da2 @ W2[:, H:]) * mask                       # (B, H): dJ/dx^(2)_t, then the mask


def _from_above_solution(ns):
    def grad_from_above(W2, da2, mask):
        H = W2.shape[1] // 2
        dx2 = da2 @ W2[:, H:]              # Z_t = [h_{t-1}; x_t]: x_t's columns of W2
        return dx2 * mask                  # dropout scaled h^(1)_t by mask on the way up
    return grad_from_above


def _recurrent_columns(W2, da2, mask):
    H = W2.shape[1] // 2
    return (da2 @ W2[:, :H]) * mask


def _no_mask(W2, da2, mask):
    H = W2.shape[1] // 2
    return da2 @ W2[:, H:]


def _mask_unscaled(W2, da2, mask):
    H = W2.shape[1] // 2
    return (da2 @ W2[:, H:]) * (mask > 0)

# ----------------------------------------------------------------- Adam

B1, B2, EPS = 0.9, 0.999, 1e-8


def _adam_reference(theta, g, m, v, t, lr):
    params = {"p": np.array(theta, dtype=np.float64)}
    state = optim.AdamState({"p": np.array(m, dtype=np.float64)},
                            {"p": np.array(v, dtype=np.float64)}, step=int(t) - 1)
    optim.adam_update(params, {"p": np.asarray(g, dtype=np.float64)}, state, lr)
    return params["p"], state.m["p"], state.v["p"]


def _adam_cases(ns=None) -> list:
    rng = np.random.default_rng(12)
    cases = [(rng.standard_normal((3, 2)), rng.standard_normal((3, 2)), np.zeros((3, 2)),
              np.zeros((3, 2)), 1, 2e-3)]                           # the first step
    for t in (2, 10):
        cases.append((rng.standard_normal(4), rng.standard_normal(4), 0.1 * rng.standard_normal(4),
                      0.1 * rng.random(4), t, 5e-3))
    return cases


def _adam(theta, g, m, v, t, lr, *, correct=True, b1=B1, b2=B2, sqrt=True, sign=-1):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g ** 2
    m_hat = m / (1 - b1 ** t) if correct else m
    v_hat = v / (1 - b2 ** t) if correct else v
    root = np.sqrt(v_hat) if sqrt else v_hat
    return theta + sign * lr * m_hat / (root + EPS), m, v


def _adam_slip(**flags):
    return lambda s: (lambda theta, g, m, v, t, lr: _adam(theta, g, m, v, t, lr, **flags))


def _adam_solution(ns):
    def adam_step(theta, g, m, v, t, lr):
        m = 0.9 * m + 0.1 * g                   # running mean of the gradient
        v = 0.999 * v + 0.001 * g ** 2          # running mean of its square
        m_hat = m / (1 - 0.9 ** t)              # bias corrections (m_0 = v_0 = 0)
        v_hat = v / (1 - 0.999 ** t)
        return theta - lr * m_hat / (np.sqrt(v_hat) + 1e-8), m, v
    return adam_step


# ----------------------------------------------------------------- softmax with a temperature

def _temperature_reference(logits, tau):
    return softmax(np.asarray(logits, dtype=np.float64) / tau, axis=-1)


def _temperature_cases(ns=None) -> list:
    rng = np.random.default_rng(13)
    return [(rng.standard_normal(6), 0.5), (rng.standard_normal(6), 2.0),
            (rng.standard_normal((3, 5)), 0.8),                     # a batch: rows are logits
            (300.0 * rng.standard_normal(5), 0.5)]                  # large logits: stay finite


def _divided_after(logits, tau):
    return softmax(np.asarray(logits, dtype=np.float64), axis=-1) / tau


def _multiplied(logits, tau):
    return softmax(np.asarray(logits, dtype=np.float64) * tau, axis=-1)


def _temperature_ignored(logits, tau):
    return softmax(np.asarray(logits, dtype=np.float64), axis=-1)


def _temperature_solution(ns):
    def softmax_with_temperature(logits, tau):
        z = logits / tau
        e = np.exp(z - z.max(axis=-1, keepdims=True))    # the largest entry becomes e^0 = 1
        return e / e.sum(axis=-1, keepdims=True)
    return softmax_with_temperature


# ----------------------------------------------------------------- one sampled character

def _draw_handout():
    return SimpleNamespace(chars=["b", "t", "s", "d"], logits=np.array([2.0, 1.2, 0.3, -0.5]),
                           tau=0.5, u=0.9)


def _draw(logits, tau, u) -> int:
    """Inverse CDF: the first index whose cumulative probability exceeds u."""
    cumulative = np.cumsum(softmax(np.asarray(logits, dtype=np.float64) / tau))
    return int(np.searchsorted(cumulative, u, side="right"))


EXERCISES = (
    Exercise(
        "06.1", "global-norm clipping",
        "Write `clip_by_global_norm(grads, max_norm)`: `grads` a dict of numpy arrays (one per "
        "parameter), `max_norm` > 0. Return a new dict, every array scaled by the **same** "
        "factor $\\min(1, \\tau/\\lVert g\\rVert)$ with $\\tau$ = `max_norm`, where $\\lVert g\\rVert^2$ sums the squares "
        "of every entry of every array. Checked against `optim.clip_by_global_norm` on three "
        "gradients, above and below the limit.",
        "function", lambda: SimpleNamespace(), lambda s: _clip_reference, _clip_solution,
        ("One norm for the whole gradient, then one factor for every array.",
         "`norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))`; scale by "
         "`min(1.0, max_norm / norm)`."),
        (Slip("per-array norms", lambda s: _clip_per_array,
              "Each array scaled by its own factor changes the gradient's direction; the "
              "global norm takes every entry of every parameter together."),
         Slip("an elementwise clip (article 004's)", lambda s: _clip_elementwise,
              "np.clip caps each entry separately and turns the step (section 6); norm "
              "clipping scales the whole gradient."),
         Slip("rescaled even below the limit", lambda s: _clip_always,
              "A gradient already shorter than max_norm is left as it is: min(1, τ/‖g‖)."),
         Slip("the norm without its square root", lambda s: _clip_no_sqrt,
              "‖g‖ is the square root of the sum of squares.")),
        compare=comparator(_clip_cases, what="optim.clip_by_global_norm"),
        level=2),
    Exercise(
        "06.2", "bits from nats",
        "The Hamlet-only model's best held-out loss (`models/hamlet.npz`) is `s.nats` "
        "$= 1.7145$ nats per character (natural logarithms). How many **bits** per character "
        "is that? Give 3 decimals.",
        "number", lambda: SimpleNamespace(nats=HAMLET_NATS),
        lambda s: s.nats / math.log(2), lambda s: s.nats / math.log(2),
        ("A bit is a base-2 logarithm, a nat a base-e one: $\\log_2 p = \\ln p / \\ln 2$.",
         "Divide by $\\ln 2 \\approx 0.693$: the number of bits is larger than the number of "
         "nats."),
        (Slip("multiplied by ln 2", lambda s: s.nats * math.log(2),
              "log₂ p = ln p / ln 2: divide by ln 2 (bits are the smaller unit)."),
         Slip("divided by ln 10", lambda s: s.nats / math.log(10),
              "That gives decimal digits (bans), not bits: the base is 2."),
         Slip("log₂ of the loss", lambda s: math.log2(s.nats),
              "Change the base of the logarithm inside the loss, not take a log of the "
              "loss: divide by ln 2.")),
        tolerance=5e-4),
    Exercise(
        "06.3", "implement one Adam step",
        "Write `adam_step(theta, g, m, v, t, lr)` returning `(theta, m, v)` after Adam's step "
        "number `t` (1 for the first): `theta` the parameter, `g` its gradient, `m` and `v` "
        "the moments before the step (arrays of one shape), with $\\beta_1 = 0.9$, "
        "$\\beta_2 = 0.999$, $\\epsilon = 10^{-8}$ as in section 9. Checked against "
        "`optim.adam_update`.",
        "function", lambda: SimpleNamespace(), lambda s: _adam_reference, _adam_solution,
        ("First the moments ($m_t$, $v_t$), then their bias corrections with $\\beta^{\\,t}$, "
         "then the step.",
         "$\\theta - \\alpha\\, \\hat m_t / (\\sqrt{\\hat v_t} + \\epsilon)$ with "
         "$\\hat m_t = m_t/(1-\\beta_1^{\\,t})$, $\\hat v_t = v_t/(1-\\beta_2^{\\,t})$; return "
         "the new $m_t$, $v_t$ too."),
        (Slip("no bias correction", _adam_slip(correct=False),
              "m and v start at 0, so early on they are too small: divide by 1 - β₁ᵗ and "
              "1 - β₂ᵗ."),
         Slip("β₁ and β₂ swapped", _adam_slip(b1=B2, b2=B1),
              "β₁ = 0.9 averages the gradient (m), β₂ = 0.999 its square (v)."),
         Slip("the square root forgotten", _adam_slip(sqrt=False),
              "Divide by √v̂ (+ ε): that is what makes the step blind to the gradient's scale."),
         Slip("a step up the gradient", _adam_slip(sign=+1),
              "Descend: θ ← θ - α m̂ / (√v̂ + ε).")),
        compare=comparator(_adam_cases, names=["theta", "m", "v"], what="optim.adam_update"),
        level=3),
    Exercise(
        "06.4", "perplexity",
        "The **perplexity** of a model is the number $k$ of equally likely characters that "
        "would cost the same loss: a uniform guess among $k$ costs $\\ln k$ nats per "
        "character. What is the Hamlet-only model's perplexity on the held-out text, with its "
        "loss `s.nats` $= 1.7145$ nats per character? Give 2 decimals.",
        "number", lambda: SimpleNamespace(nats=HAMLET_NATS),
        lambda s: math.exp(s.nats), lambda s: math.exp(s.nats),
        ("Solve $\\ln k = 1.7145$ for $k$.",
         "$k = e^{1.7145}$ (the same as $2^{\\text{bits}}$): between 5 and 6."),
        (Slip("2 to the nats", lambda s: 2 ** s.nats,
              "2^x undoes log₂ (bits); the loss here is in nats, so use e^x (or 2^bits)."),
         Slip("e to the bits", lambda s: math.exp(s.nats / math.log(2)),
              "e^x undoes ln (nats): use e^nats, or 2^bits."),
         Slip("e to minus the loss", lambda s: math.exp(-s.nats),
              "e^{-J} is the geometric mean of the probabilities given to the true "
              "characters; the perplexity is its inverse.")),
        tolerance=5e-3),
    Exercise(
        "06.5", "softmax with a temperature",
        "Write `softmax_with_temperature(logits, tau)`: `logits` a numpy array whose last "
        "axis holds the scores $V_k$ (one row of $V$ scores, or a batch of rows), `tau` > 0. "
        "Return $p_k = e^{V_k/\\tau} / \\sum_j e^{V_j/\\tau}$ along the last axis. It must stay "
        "finite for logits in the hundreds (lesson 01's trick). Checked against "
        "`activations.softmax(logits / tau)`.",
        "function", lambda: SimpleNamespace(), lambda s: _temperature_reference,
        _temperature_solution,
        ("The temperature acts on the logits, before the exponential.",
         "`z = logits / tau`; subtract `z.max(axis=-1, keepdims=True)` before `np.exp`, then "
         "divide by the sum over the last axis."),
        (Slip("divided after the softmax", lambda s: _divided_after,
              "Dividing probabilities by τ breaks their sum to 1; divide the logits, then "
              "take the softmax."),
         Slip("multiplied by the temperature", lambda s: _multiplied,
              "p_k ∝ e^{V_k/τ}: a low temperature must sharpen the distribution, so divide."),
         Slip("the temperature ignored", lambda s: _temperature_ignored,
              "Use τ: softmax(V / τ).")),
        compare=comparator(_temperature_cases, what="activations.softmax(logits / tau)"),
        level=2),
    Exercise(
        "06.6", "the sampled next character",
        "The model scores four candidate characters `s.chars` = b, t, s, d with the logits "
        "`s.logits` = [2.0, 1.2, 0.3, -0.5]. Sampling at temperature `s.tau` = 0.5 draws a "
        "uniform number `s.u` = 0.9 and returns the **first index whose cumulative "
        "probability exceeds u**. Which index (0, 1, 2 or 3) is drawn?",
        "number", _draw_handout, lambda s: _draw(s.logits, s.tau, s.u),
        lambda s: int(np.argmax(np.cumsum(np.exp(s.logits / s.tau) / np.exp(
            s.logits / s.tau).sum()) > s.u)),
        ("First the probabilities at $\\tau = 0.5$, then their running sums.",
         "At $\\tau = 0.5$, $p \\approx [0.805, 0.163, 0.027, 0.005]$: where do the running "
         "sums pass 0.9?"),
        (Slip("the most probable character (argmax)", lambda s: int(np.argmax(s.logits)),
              "Sampling draws by u; only τ → 0 turns it into argmax."),
         Slip("the temperature ignored", lambda s: _draw(s.logits, 1.0, s.u),
              "Divide the logits by τ = 0.5 first: it sharpens the distribution."),
         Slip("multiplied by the temperature", lambda s: _draw(s.logits * s.tau ** 2, s.tau,
                                                               s.u),
              "p_k ∝ e^{V_k/τ}: divide by τ, do not multiply.")),
        tolerance=0.0, level=2),
    Exercise(
        "06.7", "the gradient one layer hands the layer below",
        "In a two-layer model (section 11c) layer 2's input at step $t$ is layer 1's "
        "$h^{(1)}_t$, after dropout: $x^{(2)}_t = m \\odot h^{(1)}_t$. Write "
        "`grad_from_above(W2, da2, mask)`: `W2` (4H, 2H) layer 2's fused weights (rows "
        "$f, i, \\tilde c, o$; columns acting on $Z^{(2)}_t = [h^{(2)}_{t-1}; x^{(2)}_t]$), "
        "`da2` (B, 4H) $\\partial J/\\partial a^{(2)}_t$ at one step, `mask` (B, H) the "
        "dropout mask (0, or $1/(1-p)$). Return (B, H): the part of "
        "$\\partial J/\\partial h^{(1)}_t$ that comes from above. Checked against "
        "what `model.loss_and_grads` hands layer 1 (layer 2's `\"xs\"` gradient, times "
        "the mask).",
        "function", lambda: SimpleNamespace(), lambda s: _from_above_reference,
        _from_above_solution,
        ("$a^{(2)}_t = W_2 Z^{(2)}_t + b$: which columns of $W_2$ multiply $x^{(2)}_t$?",
         "`(da2 @ W2[:, H:]) * mask`: the last H columns act on $x^{(2)}_t$, and the mask "
         "scaled $h^{(1)}_t$ on its way up, so it scales the gradient on its way down."),
        (Slip("the recurrent columns", lambda s: _recurrent_columns,
              "W2[:, :H] acts on h^(2)_{t-1}, layer 2's own past; x^(2)_t is multiplied by "
              "the last H columns."),
         Slip("the dropout mask left out", lambda s: _no_mask,
              "x^(2)_t = m ⊙ h^(1)_t, so dJ/dh^(1)_t = m ⊙ dJ/dx^(2)_t: a dropped unit "
              "gets no gradient."),
         Slip("the mask without its scale", lambda s: _mask_unscaled,
              "Inverted dropout multiplies the kept units by 1/(1-p) in the forward pass; "
              "the same factor scales their gradient.")),
        compare=comparator(_from_above_cases, what="the x-columns of W2 applied to da2, masked"),
        level=2),
)
