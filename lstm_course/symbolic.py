r"""SymPy proofs of every hand-derived gradient of the course.

Three pieces:

* :class:`Sigmoid`, a SymPy function whose derivative rule is σ' = σ (1 - σ), a rule
  proved once against 1 / (1 + e^{-z}) by :func:`prove_sigmoid_rule`.  With it (and
  SymPy's tanh, whose derivative is 1 - tanh²) a gradient difference is a polynomial
  in the atoms σ(·), tanh(·), so :func:`is_identically_zero` can decide it exactly by
  replacing each distinct atom with a fresh symbol and expanding: milliseconds instead
  of the minutes ``simplify`` takes on the exp form.
* :func:`verify_gradient` (hand, loss, wrt) -> bool: True iff ``hand`` equals
  d(loss)/d(wrt) identically, elementwise for matrices and arrays.
* The catalogue, :data:`CATALOGUE`: every hand-derived gradient the lessons use, with
  the articles and equations it reproduces, its LaTeX in the article's symbols, and a
  builder of its SymPy form; :func:`verify_catalogue` proves them all.  Its "package"
  entries run ``lstm_course.lstm.backward`` itself on object arrays of SymPy
  expressions ("one formula, two uses"), so the code that trains is what is proved.

Symbols follow article 001: Z_t = [h_{t-1}; x_t], a_g = W_g Z_t + b_g, f_t, i_t, c~_t,
o_t, C_t, h_t, V_t = W_v h_t + b_v, J.  Local derivatives are proved with the loss
J = δh_tᵀ h_t + δC_tᵀ C_t, where δh_t and δC_t are free symbols standing for whatever
arrives from the readout and from step t+1: that makes each proof hold for any loss.
"""
from __future__ import annotations

import math
import numbers
import random
import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Callable

import numpy as np
import sympy as sp

from . import lstm

__all__ = [
    "Sigmoid", "SYMPY_OPS", "prove_sigmoid_rule", "is_identically_zero", "verify_gradient",
    "hadamard", "vector", "matrix", "cell_step", "chain_001", "unroll_001", "two_steps_001",
    "single_step_001", "readout_001",
    "symbolic_lstm", "Entry", "CATALOGUE", "find", "verify_entry", "verify_catalogue",
    "catalogue_table",
]


class Sigmoid(sp.Function):
    r"""The logistic sigmoid σ(z) = 1 / (1 + e^{-z}) with derivative rule σ' = σ (1 - σ)."""

    def fdiff(self, argindex=1):
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return 1 / (1 + sp.exp(-arg))

    def _eval_evalf(self, prec):
        return (1 / (1 + sp.exp(-self.args[0]))).evalf(prec)

    def _latex(self, printer, exp=None):
        body = r"\sigma\left(%s\right)" % printer._print(self.args[0])
        return body if exp is None else r"%s^{%s}" % (body, exp)


_vsigmoid = np.vectorize(Sigmoid, otypes=[object])
_vtanh = np.vectorize(sp.tanh, otypes=[object])


def _sympy_tanh_into(x, out):
    out[...] = _vtanh(x)


def _sympy_make_gates(H: int, dtype):
    def gates(a, out):  # a, out: (B, 4H) object arrays, blocks f, i, c~, o
        out[:, :2 * H] = _vsigmoid(a[:, :2 * H])
        out[:, 2 * H:3 * H] = _vtanh(a[:, 2 * H:3 * H])
        out[:, 3 * H:] = _vsigmoid(a[:, 3 * H:])
    return gates, None  # no scale: the SymPy gates take the pre-activations as they are


# the nonlinearities of lstm.forward / lstm.cell_forward, elementwise on object arrays
SYMPY_OPS = lstm.Elementwise(tanh_into=_sympy_tanh_into, make_gates=_sympy_make_gates)


def prove_sigmoid_rule() -> bool:
    """Prove d/dz [1 / (1 + e^{-z})] = σ(z) (1 - σ(z)), and that Sigmoid differentiates so."""
    z = sp.Symbol("z", real=True)
    explicit = 1 / (1 + sp.exp(-z))
    rule_holds = sp.simplify(sp.diff(explicit, z) - explicit * (1 - explicit)) == 0
    class_agrees = sp.simplify(sp.diff(Sigmoid(z), z).rewrite(sp.exp)
                               - sp.diff(explicit, z)) == 0
    return bool(rule_holds and class_agrees)


# ----------------------------------------------------------------------------- deciding zero

_ATOM_FUNCS = (Sigmoid, sp.tanh, sp.exp, sp.log)


def _freeze(expr, table: dict, memo: dict):
    """Replace every σ(·), tanh(·), exp(·), log(·) by a symbol keyed by its expanded argument."""
    if expr in memo:
        return memo[expr]
    if expr.is_Atom:
        out = expr
    else:
        args = [_freeze(a, table, memo) for a in expr.args]
        if expr.func in _ATOM_FUNCS:
            arg = sp.expand(args[0])
            invert = False
            if expr.func is sp.exp:  # exp(-u) = 1 / exp(u): one symbol for both
                coeff, _ = arg.as_coeff_Mul()
                if coeff.is_negative:
                    arg, invert = sp.expand(-arg), True
            key = (expr.func, arg)
            if key not in table:
                table[key] = sp.Dummy(f"{expr.func.__name__}{len(table)}")
            out = 1 / table[key] if invert else table[key]
        else:
            out = expr.func(*args)
    memo[expr] = out
    return out


def _float_value(expr, point: dict) -> float:
    """expr at point in plain floats (fast; Sigmoid evaluated as 1 / (1 + e^-z))."""
    symbols = list(point)
    f = sp.lambdify(symbols, expr, modules=[{"Sigmoid": lambda z: 1 / (1 + math.exp(-z))},
                                            "math"])
    try:
        return float(f(*(float(point[s]) for s in symbols)))
    except (OverflowError, ZeroDivisionError, ValueError):
        return float("nan")


def _numerically_nonzero(expr, trials: int = 3) -> bool:
    """True if expr is clearly non-zero at some random rational point.

    A float evaluation settles the clear cases at once (|value| > 1e-6, far above the
    round-off of these expressions); otherwise the point is evaluated with 50 digits.
    """
    rnd = random.Random(12345)
    free = sorted(expr.free_symbols, key=str)
    for _ in range(trials):
        point = {s: sp.Rational(rnd.randint(-900, 900), 1000) for s in free}
        if abs(_float_value(expr, point)) > 1e-6:
            return True
        value = sp.N(expr.subs(point), 50)
        if value.is_number and abs(value) > sp.Float("1e-30", 50):
            return True
    return False


class _NeedsDivision(Exception):
    pass


def _evaluate_in(expr, domain, gens: dict, memo: dict):
    """Evaluate a rational expression of symbols in a sparse polynomial ring or field.

    The ring's dictionary arithmetic expands products far faster than Expr.expand.
    Raises _NeedsDivision in a ring when a negative power appears.
    """
    if expr in memo:
        return memo[expr]
    if expr.is_Symbol:
        out = gens[expr]
    elif expr.is_Rational:
        out = domain(expr)
    elif expr.is_Add or expr.is_Mul:
        parts = [_evaluate_in(a, domain, gens, memo) for a in expr.args]
        out = parts[0]
        for p in parts[1:]:
            out = out + p if expr.is_Add else out * p
    elif expr.is_Pow and expr.exp.is_Integer:
        base = _evaluate_in(expr.base, domain, gens, memo)
        if expr.exp < 0 and not hasattr(base, "denom"):
            raise _NeedsDivision
        out = base ** int(expr.exp)
    else:
        raise TypeError(f"not a rational expression of symbols: {expr}")
    memo[expr] = out
    return out


def _rational_is_zero(frozen) -> bool:
    """Exactly: is this rational expression in plain symbols identically zero?"""
    symbols = sorted(frozen.free_symbols, key=str)
    if not symbols:
        return sp.simplify(frozen) == 0
    for make in (sp.ring, sp.field):  # polynomial arithmetic first, fractions if needed
        domain, *gens = make(symbols, sp.QQ)
        try:
            return _evaluate_in(frozen, domain, dict(zip(symbols, gens)), {}) == 0
        except _NeedsDivision:
            continue
    raise AssertionError("unreachable: a field has division")


def is_identically_zero(expr) -> bool:
    """Decide exactly whether a SymPy expression is identically zero.

    Fast path: freeze the transcendental atoms into symbols; the result is a rational
    function of plain symbols, evaluated exactly in a sparse polynomial ring (or field).
    If it is 0, so is expr (substitute the atoms back).  If not, the expression is
    evaluated at random points: a clearly non-zero value proves it non-zero; otherwise
    ``simplify`` on the exp form settles it (atoms can be related, e.g. exp(2a) = exp(a)²).
    """
    expr = sp.sympify(expr)
    try:
        if _rational_is_zero(_freeze(expr, {}, {})):
            return True
    except TypeError:  # something other than +, *, integer powers: take the slow road
        pass
    if _numerically_nonzero(expr):
        return False
    return sp.simplify(expr.rewrite(sp.exp)) == 0


_NOT_FINITE = (sp.nan, sp.zoo, sp.oo, -sp.oo)


def _scalar(x, name: str) -> sp.Expr:
    """x as a SymPy expression: a SymPy expression or a real number (not a bool), finite."""
    if (isinstance(x, (bool, np.bool_, sp.MatrixBase))
            or not isinstance(x, (sp.Expr, numbers.Real))):
        raise TypeError(f"{name} must be a SymPy expression or a number, got "
                        f"{type(x).__name__}")
    x = sp.sympify(x)
    if x in _NOT_FINITE:
        raise ValueError(f"{name} is {x}: it must be a finite expression")
    return x


def _flat(x, name: str) -> list:
    """The entries of a SymPy expression, Matrix or numpy array, as SymPy expressions."""
    if isinstance(x, sp.MatrixBase):
        entries = list(x)
    elif isinstance(x, np.ndarray):
        entries = list(x.reshape(-1))
    elif isinstance(x, (bool, np.bool_)) or not isinstance(x, (sp.Expr, numbers.Real)):
        raise TypeError(f"{name} must be a SymPy expression, Matrix or object array, "
                        f"got {type(x).__name__}")
    else:
        return [_scalar(x, name)]
    return [_scalar(e, f"an entry of {name}") for e in entries]


def verify_gradient(hand, loss, wrt) -> bool:
    """True iff ``hand`` equals d(loss)/d(wrt) identically.

    hand : SymPy expression (or a number), or a Matrix / numpy object array shaped like wrt
    loss : SymPy expression (a scalar; a number is a constant)
    wrt  : a Symbol, or a Matrix / object array of Symbols (the gradient is elementwise)
    Anything else (None, a string, a list, NaN) is a TypeError or ValueError naming the argument.
    """
    hands, wrts = _flat(hand, "hand"), _flat(wrt, "wrt")
    if len(hands) != len(wrts):
        raise ValueError(f"hand has {len(hands)} entries but wrt has {len(wrts)}: "
                         f"they must have the same shape")
    for w in wrts:
        if not isinstance(w, sp.Symbol):
            raise TypeError(f"wrt must hold SymPy Symbols, got {w!r}")
    loss = _scalar(loss, "loss")
    return all(is_identically_zero(h - sp.diff(loss, w)) for h, w in zip(hands, wrts))


# ------------------------------------------------------------------ article 001's cell in SymPy

def vector(name: str, n: int) -> sp.Matrix:
    """Column of n fresh real symbols name^{(1)} ... name^{(n)} (n, 1); just name when n = 1.

    The entry index is a superscript so that names with a subscript (h_{t-1}) stay valid LaTeX.
    """
    return sp.Matrix([sp.Symbol(f"{name}^{{({k + 1})}}" if n > 1 else name, real=True)
                      for k in range(n)])


def matrix(name: str, rows: int, cols: int) -> sp.Matrix:
    """(rows, cols) matrix of fresh real symbols name^{(r,c)}."""
    return sp.Matrix(rows, cols,
                     lambda r, c: sp.Symbol(f"{name}^{{({r + 1},{c + 1})}}", real=True))


def hadamard(*factors: sp.Matrix) -> sp.Matrix:
    """Elementwise product of equally shaped matrices (the article's ∘ or *)."""
    out = factors[0]
    for m in factors[1:]:
        out = out.multiply_elementwise(m)
    return out


def _one_minus_square(m: sp.Matrix) -> sp.Matrix:
    return m.applyfunc(lambda e: 1 - e ** 2)


def _sig_prime(m: sp.Matrix) -> sp.Matrix:
    return m.applyfunc(lambda e: e * (1 - e))


def cell_001_params(H: int, D: int) -> dict:
    """Symbolic W_f, W_i, W_c, W_o (H, H + D) and b_f, b_i, b_c, b_o (H, 1)."""
    params = {f"W_{g}": matrix(f"W_{g}", H, H + D) for g in lstm.GATES}
    params.update({f"b_{g}": vector(f"b_{g}", H) for g in lstm.GATES})
    return params


def cell_step(params: dict, h_prev: sp.Matrix, x: sp.Matrix, C_prev: sp.Matrix,
              cut=(), label: str = "t") -> SimpleNamespace:
    """One step of article 001's cell (equations 1-6), every node a SymPy Matrix.

    cut: node names among Z, a_f, a_i, a_c, a_o, f, i, c_tilde, o, C, h that become free
    symbols instead of being computed, so that a local derivative d J / d node can be
    taken with sympy.diff.  Returns a namespace with every node.
    """
    H = h_prev.shape[0]
    n = SimpleNamespace(params=params, h_prev=h_prev, x=x, C_prev=C_prev, a={})
    n.Z = vector(f"Z_{label}", H + x.shape[0]) if "Z" in cut else h_prev.col_join(x)
    for g in lstm.GATES:
        n.a[g] = (vector(f"a_{{{g},{label}}}", H) if f"a_{g}" in cut
                  else params[f"W_{g}"] * n.Z + params[f"b_{g}"])
    n.f = vector(f"f_{label}", H) if "f" in cut else n.a["f"].applyfunc(Sigmoid)
    n.i = vector(f"i_{label}", H) if "i" in cut else n.a["i"].applyfunc(Sigmoid)
    n.c_tilde = (vector(rf"\tilde{{c}}_{label}", H) if "c_tilde" in cut
                 else n.a["c"].applyfunc(sp.tanh))
    n.o = vector(f"o_{label}", H) if "o" in cut else n.a["o"].applyfunc(Sigmoid)
    n.C = (vector(f"C_{label}", H) if "C" in cut
           else hadamard(n.f, C_prev) + hadamard(n.i, n.c_tilde))
    n.tanh_C = n.C.applyfunc(sp.tanh)
    n.h = vector(f"h_{label}", H) if "h" in cut else hadamard(n.o, n.tanh_C)
    return n


def chain_001(n: SimpleNamespace, dJ_dh: sp.Matrix, dJ_dC_next: sp.Matrix) -> dict:
    """Article 001's backward through one step, one local derivative per line.

    dJ_dh      : total dJ/dh_t (readout plus what step t+1 sends back through Z_{t+1})
    dJ_dC_next : what reaches C_t from step t+1, dJ/dC_{t+1} ∘ f_{t+1} (zero at the end)
    Returns a dict of Matrices keyed by node: "o", "a_o", "C", "c_tilde", "a_c", "i", "a_i",
    "f", "a_f", "C_prev", "Z", "h_prev", "x", "W_g", "b_g" for g in f, i, c, o.
    """
    H = n.h_prev.shape[0]
    d = {"h": dJ_dh}
    d["o"] = hadamard(dJ_dh, n.tanh_C)
    d["C"] = hadamard(dJ_dh, n.o, _one_minus_square(n.tanh_C)) + dJ_dC_next  # clubbed
    d["c_tilde"] = hadamard(d["C"], n.i)
    d["i"] = hadamard(d["C"], n.c_tilde)
    d["f"] = hadamard(d["C"], n.C_prev)
    d["C_prev"] = hadamard(d["C"], n.f)
    d["a_o"] = hadamard(d["o"], _sig_prime(n.o))
    d["a_c"] = hadamard(d["c_tilde"], _one_minus_square(n.c_tilde))
    d["a_i"] = hadamard(d["i"], _sig_prime(n.i))
    d["a_f"] = hadamard(d["f"], _sig_prime(n.f))
    d["Z"] = sum((n.params[f"W_{g}"].T * d[f"a_{g}"] for g in lstm.GATES),
                 sp.zeros(n.Z.shape[0], 1))
    d["h_prev"], d["x"] = d["Z"][:H, :], d["Z"][H:, :]
    for g in lstm.GATES:
        d[f"W_{g}"] = d[f"a_{g}"] * n.Z.T
        d[f"b_{g}"] = d[f"a_{g}"]
    return d


def single_step_001(H: int = 2, D: int = 1, cut=()) -> tuple[SimpleNamespace, dict, sp.Expr]:
    """A single step with the adjoint loss J = δh_tᵀ h_t + δC_tᵀ C_t.

    Returns (nodes, hand gradients from chain_001, J).
    """
    params = cell_001_params(H, D)
    n = cell_step(params, vector("h_{t-1}", H), vector("x_t", D), vector("C_{t-1}", H), cut)
    dh, dC = vector(r"\delta h_t", H), vector(r"\delta C_t", H)
    J = (dh.T * n.h)[0] + (dC.T * n.C)[0]
    return n, chain_001(n, dh, dC), J


def unroll_001(T: int, H: int = 1, D: int = 1, cut_first=()) -> tuple[list, list, sp.Expr]:
    """T unrolled steps sharing weights, J = Σ_t δh_tᵀ h_t (δh_t free symbols).

    Returns (steps, hands, J); the hand gradients are chained the way article 001 does
    BPTT: the last step first, then each earlier step t receives dJ/dh_t from the readout
    plus step t+1's dJ/dh_{t-1}, and the clubbed dJ/dC_{t+1} ∘ f_{t+1}.  cut_first makes
    nodes of step 1 free symbols (see cell_step).
    """
    params = cell_001_params(H, D)
    steps = []
    h, C = vector("h_0", H), vector("C_0", H)
    for t in range(1, T + 1):
        step = cell_step(params, h, vector(f"x_{t}", D), C, cut_first if t == 1 else (), str(t))
        steps.append(step)
        h, C = step.h, step.C
    dhs = [vector(rf"\delta h_{t}", H) for t in range(1, T + 1)]
    J = sum(((dh.T * s.h)[0] for dh, s in zip(dhs, steps)), sp.Integer(0))
    hands = [None] * T
    dh_back, dC_back = sp.zeros(H, 1), sp.zeros(H, 1)
    for t in range(T - 1, -1, -1):
        hands[t] = chain_001(steps[t], dhs[t] + dh_back, dC_back)
        dh_back, dC_back = hands[t]["h_prev"], hands[t]["C_prev"]
    return steps, hands, J


def two_steps_001(H: int = 1, D: int = 1, cut_first=()) -> tuple[list, list, sp.Expr]:
    """unroll_001 with T = 2: ([step1, step2], [hand1, hand2], J = δh_1ᵀ h_1 + δh_2ᵀ h_2)."""
    return unroll_001(2, H, D, cut_first)


def readout_001(H: int = 2, K: int = 3, target: int = 1, cut_V: bool = False):
    """Equations 7-8 of article 001: V_t = W_v h_t + b_v, ŷ = softmax(V_t), J = -log ŷ_target.

    J is written as -V_target + log Σ_k e^{V_k} (the same function).  Returns a namespace with
    h, W_v, b_v, V, y_hat, y (one-hot), J and the hand gradients dV, dh, dW_v, db_v.
    """
    n = SimpleNamespace(h=vector("h_t", H), W_v=matrix("W_v", K, H), b_v=vector("b_v", K))
    n.V = vector("V_t", K) if cut_V else n.W_v * n.h + n.b_v
    expV = n.V.applyfunc(sp.exp)
    n.y_hat = expV / sum(expV)
    n.y = sp.Matrix([1 if k == target else 0 for k in range(K)])
    n.J = -n.V[target] + sp.log(sum(expV))
    n.dV = n.y_hat - n.y
    n.dh = n.W_v.T * n.dV
    n.dW_v = n.dV * n.h.T
    n.db_v = n.dV
    return n


# -------------------------------------------------------------- the package's own backward

def symbolic_lstm(T: int, B: int, H: int, D: int, chunk: int | None = None):
    """Run lstm.forward and lstm.backward on object arrays of SymPy symbols.

    The loss is L = Σ R_h * hs + Σ R_c * C_T with free symbols R (any upstream gradient);
    chunk is passed to lstm.backward (a chunk smaller than T proves the chunk boundaries too).
    Returns (inputs, grads, L): inputs maps every parameter and "xs", "h0", "c0" to its
    object array of Symbols, grads is what lstm.backward returned for them.
    """
    def sym_array(name, shape):
        flat = [sp.Symbol(f"{name}[{','.join(map(str, idx))}]", real=True)
                for idx in np.ndindex(*shape)]
        return np.array(flat, dtype=object).reshape(shape)

    params = {f"W_{g}": sym_array(f"W_{g}", (H, H + D)) for g in lstm.GATES}
    params.update({f"b_{g}": sym_array(f"b_{g}", (H,)) for g in lstm.GATES})
    xs, h0, c0 = sym_array("x", (T, B, D)), sym_array("h0", (B, H)), sym_array("c0", (B, H))
    R_h, R_c = sym_array("R_h", (T, B, H)), sym_array("R_c", (B, H))
    hs, cs, cache = lstm.forward(params, xs, h0, c0, ops=SYMPY_OPS)
    L = sp.Add(*(R_h * hs).reshape(-1)) + sp.Add(*(R_c * cs[-1]).reshape(-1))
    grads = lstm.backward(params, cache, R_h, R_c, chunk=chunk)
    return {**params, "xs": xs, "h0": h0, "c0": c0}, grads, L


# ------------------------------------------------------------------------------- catalogue

@dataclass(frozen=True)
class Entry:
    """One hand-derived gradient: what it is, where it comes from, and how to prove it.

    build() returns a list of (hand, loss, wrt) triples; the entry is proved when
    verify_gradient holds for every triple.
    """

    name: str
    articles: str
    latex: str
    build: Callable[[], list]


def __getattr__(name: str):
    """``symbolic.CATALOGUE`` lives in lstm_course.catalogue (it builds on this module)."""
    if name == "CATALOGUE":
        from .catalogue import CATALOGUE
        return CATALOGUE
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _catalogue():
    from .catalogue import CATALOGUE
    return CATALOGUE


def find(name: str) -> Entry:
    """The catalogue entry with this exact name (see ``[e.name for e in CATALOGUE]``)."""
    CATALOGUE = _catalogue()
    for entry in CATALOGUE:
        if entry.name == name:
            return entry
    raise KeyError(f"no catalogue entry named {name!r}; names: {[e.name for e in CATALOGUE]}")


@dataclass(frozen=True)
class Result:
    name: str
    articles: str
    proved: bool
    seconds: float


def verify_entry(entry: Entry | str) -> Result:
    """Build and prove one catalogue entry (by Entry or by name)."""
    if isinstance(entry, str):
        entry = find(entry)
    start = time.perf_counter()
    proved = all(verify_gradient(hand, loss, wrt) for hand, loss, wrt in entry.build())
    return Result(entry.name, entry.articles, proved, time.perf_counter() - start)


def verify_catalogue(names=None) -> list[Result]:
    """Prove every catalogue entry (or those named), plus the sigmoid rule itself first."""
    start = time.perf_counter()
    rule = prove_sigmoid_rule()
    results = [Result("sigmoid rule: d/dz 1/(1+e^-z) = s(1-s)", "004, 001", rule,
                      time.perf_counter() - start)]
    for entry in _catalogue():
        if names is None or entry.name in names:
            results.append(verify_entry(entry))
    return results


def catalogue_table(results: list[Result], with_seconds: bool = True) -> str:
    """A plain-text table: gradient, articles, proved yes/no (and seconds, unless told not to:
    timings differ from run to run, so notebooks checked by nbval leave them out)."""
    w_name = max(len(r.name) for r in results)
    w_art = max(len(r.articles) for r in results)
    head, rule = f"{'gradient':<{w_name}}  {'articles':<{w_art}}  proved", f"{'-' * w_name}  {'-' * w_art}  ------"
    lines = [head + ("  seconds" if with_seconds else ""), rule + ("  -------" if with_seconds else "")]
    for r in results:
        row = f"{r.name:<{w_name}}  {r.articles:<{w_art}}  {'yes' if r.proved else 'NO':<6}"
        lines.append(row + (f"  {r.seconds:7.3f}" if with_seconds else ""))
    return "\n".join(line.rstrip() for line in lines)
