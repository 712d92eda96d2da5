import numpy as np
import pytest
import sympy as sp

from lstm_course.articles import scalar003, seo000
from lstm_course.core import lstm
from lstm_course.core.symbolic import Sigmoid, hadamard, vector
from lstm_course.hamlet import kernel
from lstm_course.proofs import catalogue, cell
from lstm_course.proofs.verify import prove_sigmoid_rule, verify_gradient
from lstm_course.proofs.zero import is_identically_zero


def test_sigmoid_rule_is_proved():
    assert prove_sigmoid_rule()


@pytest.mark.parametrize("entry", catalogue.CATALOGUE, ids=lambda e: e.name)
def test_every_catalogue_entry_is_proved(entry):
    assert catalogue.verify_entry(entry).proved


def test_catalogue_entries_are_documented():
    names = [e.name for e in catalogue.CATALOGUE]
    assert len(names) == len(set(names))
    for e in catalogue.CATALOGUE:
        assert e.articles and e.latex
        assert any(a in e.articles for a in ("000", "001", "002", "003", "004", "lstm_course"))
    assert catalogue.find("dJ/do_t").name == "dJ/do_t"
    with pytest.raises(KeyError, match="no catalogue entry named"):
        catalogue.find("dJ/dnothing")


# --- verify_gradient accepts true derivatives and rejects wrong ones ------------------------

def test_accepts_true_derivatives():
    a, b = sp.symbols("a b", real=True)
    assert verify_gradient(Sigmoid(a) * (1 - Sigmoid(a)), Sigmoid(a), a)
    assert verify_gradient(1 - sp.tanh(a) ** 2, sp.tanh(a), a)
    assert verify_gradient(sp.Matrix([b, a]), a * b, sp.Matrix([a, b]))


def test_rejects_a_missing_factor():
    n, d, J = cell.single_step_001(cut=("o",))
    assert verify_gradient(d["o"], J, n.o)
    assert not verify_gradient(d["h"], J, n.o)  # dJ/dh_t without the factor tanh(C_t)


def test_rejects_sigma_prime_used_for_tanh_prime():
    n, d, J = cell.single_step_001(cut=("a_c",))
    right = hadamard(d["c_tilde"], n.c_tilde.applyfunc(lambda t: 1 - t ** 2))
    wrong = hadamard(d["c_tilde"], n.c_tilde.applyfunc(lambda t: t * (1 - t)))
    assert verify_gradient(right, J, n.a["c"])
    assert not verify_gradient(wrong, J, n.a["c"])


def test_rejects_a_sign_flip():
    n, d, J = cell.single_step_001(cut=("f",))
    assert verify_gradient(d["f"], J, n.f)
    assert not verify_gradient(-d["f"], J, n.f)


def test_rejects_a_missing_c_prev():
    n, d, J = cell.single_step_001(cut=("f",))
    assert not verify_gradient(d["C"], J, n.f)  # dJ/df_t without the factor C_{t-1}


def test_rejects_dropping_the_clubbed_term():
    (s1, s2), (d1, d2), J = cell.two_steps_001(cut_first=("C",))
    local_only = hadamard(d1["h"], s1.o, s1.tanh_C.applyfunc(lambda t: 1 - t ** 2))
    assert verify_gradient(d1["C"], J, s1.C)
    assert not verify_gradient(local_only, J, s1.C)


def test_rejects_a_non_identity_that_is_close():
    a = sp.Symbol("a", real=True)
    assert not verify_gradient(Sigmoid(a) * (1 - Sigmoid(a)) + sp.Rational(1, 10**12), Sigmoid(a), a)


def test_shape_mismatch_is_an_error():
    a, b = sp.symbols("a b")
    with pytest.raises(ValueError, match="hand has 1 entries but wrt has 2"):
        verify_gradient(a, a * b, sp.Matrix([a, b]))
    with pytest.raises(TypeError, match="wrt must hold SymPy Symbols"):
        verify_gradient(a, a, sp.Matrix([a + 1]))


# --- one formula, two uses: the proof runs the numpy code itself ---------------------------

def test_the_proof_checks_the_running_kernel(monkeypatch):
    """A slip planted in kernel.local_factors (the formulas training runs) makes its proof fail."""
    entry = catalogue.find("training kernel backward, one step (H=2, D=2)")
    assert catalogue.verify_entry(entry).proved
    original = kernel.local_factors

    def slipped(gates, c_prev, tanh_c, out=None):
        P, K = original(gates, c_prev, tanh_c, out=out)
        H = c_prev.shape[-1]
        P[..., 2 * H:3 * H] = P[..., 2 * H:3 * H] * 2   # a stray factor 2 in dJ/da_c
        return P, K
    monkeypatch.setattr(kernel, "local_factors", slipped)
    assert not catalogue.verify_entry(entry).proved


def test_the_proof_checks_the_readable_code(monkeypatch):
    """σ' where tanh' belongs, planted in the readable step_backward, makes its proof fail."""
    entry = catalogue.find("readable backward, one step (H=2, D=2)")
    assert catalogue.verify_entry(entry).proved
    real = lstm.step_backward

    def slipped(dh, dc_next, s):
        g = real(dh, dc_next, s)
        da_c = g.dJ_dc_tilde * s.c_tilde * (1 - s.c_tilde)
        return g._replace(params={**g.params, "W_c": da_c.T @ s.Z, "b_c": da_c.sum(axis=0)})
    monkeypatch.setattr(lstm, "step_backward", slipped)
    assert not catalogue.verify_entry(entry).proved


def test_numpy_and_sympy_run_the_same_step_forward():
    """step_forward on floats equals step_forward on SymPy symbols evaluated at those floats."""
    rng = np.random.default_rng(0)
    H, D = 2, 1
    values = {}

    def both(name, shape):
        sym = np.array([sp.Symbol(f"{name}{k}", real=True) for k in range(int(np.prod(shape)))],
                       dtype=object).reshape(shape)
        num = rng.standard_normal(shape)
        values.update(zip(sym.reshape(-1), num.reshape(-1)))
        return sym, num
    pairs = {f"W_{g}": both(f"W_{g}", (H, H + D)) for g in "fico"}
    pairs.update({f"b_{g}": both(f"b_{g}", (H,)) for g in "fico"})
    x, h, c = both("x", (1, D)), both("h", (1, H)), both("c", (1, H))
    sym_out = lstm.step_forward({k: v[0] for k, v in pairs.items()}, x[0], h[0], c[0])
    num_out = lstm.step_forward({k: v[1] for k, v in pairs.items()}, x[1], h[1], c[1])
    for s_arr, n_arr in zip(sym_out[:2], num_out[:2]):
        for s_val, n_val in zip(s_arr.reshape(-1), n_arr.reshape(-1)):
            assert abs(float(s_val.subs(values).evalf(30)) - n_val) < 1e-14


def test_seo_without_the_state_path_is_wrong():
    """Article 000 shows the TS=1 chain for Wo only; for Wa and Wi the S(1) -> S(2) path counts."""
    n = seo000.seo_two_timestamps()
    ts2 = seo000.seo_ts2_equations(n)
    partial = seo000.seo_ts1_parts(n, with_state_path=False)
    full = seo000.seo_ts1_parts(n)
    for k in ("Wa", "Wi"):
        assert verify_gradient(ts2[k] + full[k], n.cost, n.w[k])
        assert not verify_gradient(ts2[k] + partial[k], n.cost, n.w[k])
    assert verify_gradient(ts2["Wo"] + partial["Wo"], n.cost, n.w["Wo"])  # Wo has no state path


def test_naive_dc_dcprev_is_wrong():
    n = scalar003.scalar003_step(hold_h_prev=False)
    assert verify_gradient(scalar003.scalar003_dc_dcprev(n), n.c, n.c_prev)
    assert not verify_gradient(n.f, n.c, n.c_prev)
    held = scalar003.scalar003_step(hold_h_prev=True)
    assert verify_gradient(held.f, held.c, held.c_prev)  # f_t is right only with h_{t-1} held


def test_cell_step_states_the_same_forward_as_the_package():
    """cell.cell_step (article 001's equations, used for cut nodes) = the readable LSTM and the
    training kernel run on SymPy."""
    params = cell.cell_001_params(2, 1)
    n = cell.cell_step(params, vector("h", 2), vector("x", 1), vector("C", 2))
    as_arrays = {k: np.array(v.tolist(), dtype=object).reshape(v.shape[0], -1).squeeze(-1)
                 if k.startswith("b") else np.array(v.tolist(), dtype=object)
                 for k, v in params.items()}
    args = (np.array(list(n.x), dtype=object).reshape(1, 1, 1),
            np.array(list(n.h_prev), dtype=object).reshape(1, 2),
            np.array(list(n.C_prev), dtype=object).reshape(1, 2))
    for hs, cs, _ in (lstm.forward(as_arrays, *args),
                      kernel.forward(as_arrays, *args, ops=cell.SYMPY_OPS)):
        for k in range(2):
            assert is_identically_zero(hs[0, 0, k] - n.h[k])
            assert is_identically_zero(cs[0, 0, k] - n.C[k])


def test_003_over_time_needs_the_cell_path():
    """Article 003's chain carried over time is proved; without the cell path dE/dc_{t+1} f_{t+1}
    it is not (from two steps on)."""
    n = scalar003.scalar003_over_time(2)
    hands = scalar003.scalar003_bptt(n)
    assert verify_gradient(hands["w_f"], n.E, n.w["w_f"])
    original = n.f
    n.f = {t: 0 * v for t, v in original.items()}       # f_{t+1} = 0 cuts the cell path ...
    cut = scalar003.scalar003_bptt(n)                    # ... in the hand chain only
    n.f = original
    assert not verify_gradient(cut["w_i"], n.E, n.w["w_i"])


def test_gomez_lines_are_proved_in_his_layout_and_a_wrong_line_is_not():
    from lstm_course.articles import gomez002
    n = gomez002.gomez_two_steps()
    lines = gomez002.gomez_lines(n)
    assert verify_gradient(lines["delta_i_0"], n.E, n.eps[0]["i"])
    assert not verify_gradient(lines["delta_i_0"], n.E, n.eps[0]["f"])
    assert not verify_gradient(lines["delta_state_0"] * n.o[0], n.E, n.eps[0]["a"])


def test_004_backward_is_minus_the_gradient_and_needs_tanh_first():
    """004's errors, in its code's names, are -dJ/dw; its cell-state line must apply tanh to the
    cell state before its helper tanh'(t) = 1 - t² (the pitfall the article warns about)."""
    from lstm_course.articles import zoo004
    n = zoo004.zoo_forward()
    right, pitfall = zoo004.zoo_backward(n), zoo004.zoo_backward(n, tanh_first=False)
    wf = n.w["wf"]
    assert verify_gradient(-right["d_wf"], n.J, wf)
    assert not verify_gradient(right["d_wf"], n.J, wf)            # the sign of 004's errors
    assert not verify_gradient(-pitfall["d_wf"], n.J, wf)


def test_the_formula_shown_is_the_formula_proved():
    """Every displayed formula is generated from an expression that, read through its meaning,
    is the proved hand expression; a formula that differs from the proof is refused."""
    for entry in catalogue.CATALOGUE:
        assert entry.latex
        if entry.display is not None:
            assert entry.display_agrees(), entry.name
    entry = catalogue.find("dJ/do_t")
    wrong_display = lambda: [(lhs, formula * 2, meaning, hand)          # noqa: E731
                             for lhs, formula, meaning, hand in entry.display()]
    wrong = catalogue.Entry(entry.name, entry.articles, entry.build, wrong_display)
    assert not wrong.display_agrees() and not catalogue.verify_entry(wrong).proved
    clubbed = catalogue.find("dJ/dC_t clubbed over two steps").latex
    assert r"\frac{\partial J}{\partial C_2} f_2" in clubbed          # the f_{t+1} path, proved
    assert "f_{t+1}" not in catalogue.find("dJ/dC_t (clubbed)").latex   # one step: δC_t only


def test_gomez_label_cannot_be_reached():
    from lstm_course.articles import gomez002
    bound = gomez002.output_bound()
    assert bound == sp.Interval.open(-1, 1)
    assert not bound.contains(sp.Rational(5, 4)) and bound.contains(sp.Rational(99, 100))
