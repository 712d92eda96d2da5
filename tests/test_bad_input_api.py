"""One table of bad input over the public API: each call must raise the named exception type
with a message that names the argument and what was expected (DESIGN.md, "Bad input")."""
import numpy as np
import pytest
import sympy as sp

from conftest import random_params
from lstm_course.articles import gomez002, scalar003, seo000
from lstm_course.core import activations, gradcheck, layers
from lstm_course.core import lstm as readable
from lstm_course.core import params as core_params
from lstm_course.hamlet import data, readout
from lstm_course.hamlet import kernel as lstm
from lstm_course.proofs.verify import verify_gradient

RNG = np.random.default_rng(9)
P = random_params(3, 4, RNG)                      # D = 3, H = 4 (float64)
XS = RNG.standard_normal((5, 2, 3))               # (T, B, D) = (5, 2, 3)
HS, _, CACHE = lstm.forward(P, XS)
DHS = np.ones(HS.shape)                           # (5, 2, 4)
VOCAB = data.Vocabulary.from_text("abc")
IDS = np.arange(40) % 3                           # 40 character ids
SEO = {k: np.ones((2, 1)) if k[1] != "r" else np.ones((2, 2))   # H = 2, D = 1
       for k in ("Wf", "Wrecf", "Wi", "Wreci", "Wa", "Wreca", "Wo", "Wreco")}
S003 = {f"{p}_{g}": 0.5 for g in "fico" for p in "wu"}
A, B_ = sp.symbols("a b", real=True)


def params_with(**changes):
    return {**P, **changes}


def nan_at(arr, index):
    out = np.array(arr, dtype=np.float64)
    out[index] = np.nan
    return out


def read_only(arr):
    out = np.array(arr)
    out.flags.writeable = False
    return out


# (id, argument named in the message, exception type, regex, call)
CASES = [
    # core_params.init_params
    ("init_params input_size 0", "input_size", ValueError, r"input_size must be a positive integer",
     lambda: core_params.init_params(0, 4, rng=RNG)),
    ("init_params hidden_size float", "hidden_size", TypeError, r"hidden_size must be a positive integer",
     lambda: core_params.init_params(3, 2.5, rng=RNG)),
    ("init_params rng seed", "rng", TypeError, r"rng must be a numpy.random.Generator",
     lambda: core_params.init_params(3, 4, rng=42)),
    ("init_params int dtype", "dtype", TypeError, r"dtype must be float32 or float64",
     lambda: core_params.init_params(3, 4, rng=RNG, dtype=np.int32)),
    # lstm.forward: params
    ("forward params list", "params", TypeError, r"params must be a dict",
     lambda: lstm.forward([P], XS)),
    ("forward params missing b_o", "params", ValueError, r"params is missing \['b_o'\]",
     lambda: lstm.forward({k: v for k, v in P.items() if k != "b_o"}, XS)),
    ("forward params W_f list", "params['W_f']", TypeError,
     r"params\['W_f'\] must be a numpy array, got list",
     lambda: lstm.forward(params_with(W_f=P["W_f"].tolist()), XS)),
    ("forward params b_c list", "params['b_c']", TypeError,
     r"params\['b_c'\] must be a numpy array, got list",
     lambda: lstm.forward(params_with(b_c=P["b_c"].tolist()), XS)),
    ("forward params W_i shape", "params['W_i']", ValueError,
     r"params\['W_i'\] must have shape \(4, 7\), got \(4, 8\)",
     lambda: lstm.forward(params_with(W_i=np.zeros((4, 8))), XS)),
    ("forward params W_o float32", "params['W_o']", TypeError, r"params\['W_o'\] has dtype float32",
     lambda: lstm.forward(params_with(W_o=P["W_o"].astype(np.float32)), XS)),
    ("forward params W_f NaN", "params['W_f']", ValueError, r"params\['W_f'\] contains NaN",
     lambda: lstm.forward(params_with(W_f=nan_at(P["W_f"], (0, 0))), XS)),
    # lstm.forward: inputs and states
    ("forward xs 2-d floats", "xs", ValueError, r"xs must have 3 dimensions, got 2",
     lambda: lstm.forward(P, np.zeros((5, 3)))),
    ("forward xs last dim", "xs", ValueError, r"xs must have size 3 in its last dimension",
     lambda: lstm.forward(P, np.zeros((5, 2, 2)))),
    ("forward xs float32", "xs", TypeError, r"xs has dtype float32 but the model's parameters are float64",
     lambda: lstm.forward(P, XS.astype(np.float32))),
    ("forward xs string", "xs", TypeError, r"xs must be a numpy array",
     lambda: lstm.forward(P, "abc")),
    ("forward xs ids out of range", "xs", ValueError, r"xs holds integer ids .* \[0, 3\)",
     lambda: lstm.forward(P, np.array([[0, 3]]))),
    ("forward xs NaN", "xs", ValueError, r"xs contains NaN",
     lambda: lstm.forward(P, nan_at(XS, (1, 0, 2)))),
    ("forward h0 shape", "h0", ValueError, r"h0 must have shape \(2, 4\), got \(2, 5\)",
     lambda: lstm.forward(P, XS, h0=np.zeros((2, 5)))),
    ("forward c0 inf", "c0", ValueError, r"c0 contains NaN or infinite",
     lambda: lstm.forward(P, XS, c0=np.full((2, 4), np.inf))),
    ("forward workspace", "workspace", TypeError, r"workspace must be a lstm_course.hamlet.workspace.Workspace",
     lambda: lstm.forward(P, XS, workspace="ws")),
    # lstm.backward
    ("backward params other H", "params", ValueError,
     r"params differ from the ones forward used .* H = 5, D = 3, forward's had H = 4, D = 3",
     lambda: lstm.backward(random_params(3, 5, np.random.default_rng(1)), CACHE, DHS)),
    ("backward params other values", "params['W_c']", ValueError,
     r"params differ from the ones forward used .*params\['W_c'\] has other values",
     lambda: lstm.backward(params_with(W_c=P["W_c"] + 1e-9), CACHE, DHS)),
    ("backward cache not a cache", "cache", TypeError, r"cache must be the cache kernel.forward returned",
     lambda: lstm.backward(P, {"gates": None}, DHS)),
    ("backward dhs shape", "dhs", ValueError, r"dhs must have shape \(5, 2, 4\), got \(5, 2, 3\)",
     lambda: lstm.backward(P, CACHE, np.zeros((5, 2, 3)))),
    ("backward dhs NaN", "dhs", ValueError, r"dhs contains NaN",
     lambda: lstm.backward(P, CACHE, nan_at(DHS, (0, 0, 0)))),
    ("backward dhs function", "dhs", ValueError, r"dhs\(\d+, 5\) must return a float64 array of shape",
     lambda: lstm.backward(P, CACHE, lambda start, end: np.zeros((1, 1, 1)))),
    ("backward dc_last shape", "dc_last", ValueError, r"dc_last must have shape \(2, 4\)",
     lambda: lstm.backward(P, CACHE, DHS, dc_last=np.zeros((1, 4)))),
    ("backward chunk 0", "chunk", ValueError, r"chunk must be a positive integer",
     lambda: lstm.backward(P, CACHE, DHS, chunk=0)),
    # layers
    ("readout_forward hs last dim", "hs", ValueError, r"hs must have size 4 in its last dimension",
     lambda: layers.readout_forward(np.zeros((5, 4)), np.zeros(5), np.zeros((2, 1, 3)))),
    ("readout_forward b_v shape", "b_v", ValueError, r"b_v must have shape \(5,\)",
     lambda: layers.readout_forward(np.zeros((5, 4)), np.zeros(4), np.zeros((2, 1, 4)))),
    ("readout.logits_into out", "out", ValueError, r"out must be a writeable C-contiguous float64 array",
     lambda: readout.logits_into(np.zeros((5, 4)), np.zeros(5), np.zeros((2, 1, 4)),
                                 out=np.zeros((2, 1, 4)))),
    ("readout_backward dlogits shape", "dlogits", ValueError, r"dlogits must have shape \(2, 1, 5\)",
     lambda: layers.readout_backward(np.zeros((5, 4)), np.zeros((2, 1, 4)), np.zeros((2, 1, 4)))),
    ("init_readout output_size 0", "output_size", ValueError, r"output_size must be a positive integer",
     lambda: layers.init_readout(4, 0, rng=RNG)),
    ("softmax_cross_entropy float targets", "targets", TypeError, r"targets must be an integer array",
     lambda: layers.softmax_cross_entropy(np.zeros((2, 1, 3)), np.zeros((2, 1)))),
    ("softmax_cross_entropy targets range", "targets", ValueError, r"targets must lie in \[0, 3\)",
     lambda: layers.softmax_cross_entropy(np.zeros((2, 1, 3)), np.array([[0], [3]]))),
    ("softmax_cross_entropy targets shape", "targets", ValueError, r"targets must have shape \(2, 1\)",
     lambda: layers.softmax_cross_entropy(np.zeros((2, 1, 3)), np.zeros((1, 2), dtype=int))),
    ("half_squared_error shapes", "targets", ValueError, r"targets must have shape \(2, 3\)",
     lambda: layers.half_squared_error(np.zeros((2, 3)), np.zeros(3))),
    # gradcheck
    ("numerical_gradient float32", "x", TypeError, r"x must be a float64 numpy array",
     lambda: gradcheck.numerical_gradient(lambda: 0.0, np.zeros(3, dtype=np.float32))),
    ("numerical_gradient read-only", "x", ValueError, r"x must be writeable",
     lambda: gradcheck.numerical_gradient(lambda: 0.0, read_only(np.zeros(3)))),
    ("numerical_gradient eps 0", "eps", ValueError, r"eps must be positive",
     lambda: gradcheck.numerical_gradient(lambda: 0.0, np.zeros(3), eps=0)),
    ("relative_error shapes", "a and b", ValueError, r"a and b must have the same shape",
     lambda: gradcheck.relative_error(np.zeros(2), np.zeros(3))),
    # notation: Seo (article 000)
    ("from_seo not a dict", "weights", TypeError, r"weights must be a dict",
     lambda: seo000.from_seo([1.0])),
    ("from_seo missing", "weights", ValueError, r"weights is missing \['Wrecf'",
     lambda: seo000.from_seo({"Wf": 1.0})),
    ("from_seo None weight", "Wi", TypeError, r"Wi must be a numpy array or a number .*got NoneType",
     lambda: seo000.from_seo({**SEO, "Wi": None})),
    ("from_seo NaN weight", "Wo", ValueError, r"Wo contains NaN",
     lambda: seo000.from_seo({**SEO, "Wo": nan_at(SEO["Wo"], (0, 0))})),
    ("from_seo object None", "Wa", TypeError, r"Wa must hold numbers or SymPy expressions, got NoneType",
     lambda: seo000.from_seo({**SEO, "Wa": np.array([[None], [1.0]], dtype=object)})),
    ("from_seo Wrec shape", "Wreci", ValueError, r"Wreci must have shape \(2, 2\) to match Wi",
     lambda: seo000.from_seo({**SEO, "Wreci": np.ones((2, 3))})),
    ("from_seo mixed dtypes", "Wf", TypeError, r"Wf, Wrecf, .* must share one dtype",
     lambda: seo000.from_seo({**SEO, "Wf": np.ones((2, 1), dtype=np.float32)})),
    ("to_seo biases", "params['b_f']", ValueError, r"params\['b_f'\] is non-zero but Seo's cell",
     lambda: seo000.to_seo(P)),
    # notation: Gomez (article 002)
    ("from_gomez b (2, 2)", "b", ValueError, r"b must have shape \(4,\) to match W \(4, 2\), got \(2, 2\)",
     lambda: gomez002.from_gomez(np.ones((4, 2)), np.ones((4, 1)), np.ones((2, 2)))),
    ("from_gomez W rows", "W", ValueError, r"W must have 4H rows",
     lambda: gomez002.from_gomez(np.ones((3, 2)), np.ones((4, 1)), np.ones(4))),
    ("from_gomez U shape", "U", ValueError, r"U must have shape \(4, 1\) to match W",
     lambda: gomez002.from_gomez(np.ones((4, 2)), np.ones((4, 2)), np.ones(4))),
    ("from_gomez U None", "U", TypeError, r"U must be a numpy array or a number",
     lambda: gomez002.from_gomez(np.ones((4, 2)), None, np.ones(4))),
    ("from_gomez W inf", "W", ValueError, r"W contains NaN or infinite",
     lambda: gomez002.from_gomez(np.full((4, 2), np.inf), np.ones((4, 1)), np.ones(4))),
    ("from_gomez b list", "b", TypeError, r"b must be a numpy array or a number .*got list",
     lambda: gomez002.from_gomez(np.ones((4, 2)), np.ones((4, 1)), [1.0, 1.0, 1.0, 1.0])),
    ("from_gomez mixed dtypes", "W, U, b", TypeError, r"W, U, b must share one dtype",
     lambda: gomez002.from_gomez(np.ones((4, 2)), np.ones((4, 1)), np.ones(4, dtype=np.float32))),
    # notation: article 003's scalar cell
    ("from_scalar003 (1, 2, 2) weight", "weights['w_f']", ValueError,
     r"weights\['w_f'\] must be a scalar .*got shape \(1, 2, 2\)",
     lambda: scalar003.from_scalar003({**S003, "w_f": np.ones((1, 2, 2))})),
    ("from_scalar003 NaN", "weights['u_i']", ValueError, r"weights\['u_i'\] contains NaN",
     lambda: scalar003.from_scalar003({**S003, "u_i": float("nan")})),
    ("from_scalar003 bool", "weights['w_o']", TypeError,
     r"weights\['w_o'\] must be a numpy array or a number .*got bool",
     lambda: scalar003.from_scalar003({**S003, "w_o": True})),
    ("from_scalar003 string", "weights['u_c']", TypeError, r"weights\['u_c'\] must be a numpy array",
     lambda: scalar003.from_scalar003({**S003, "u_c": "0.5"})),
    ("from_scalar003 SymPy as floats", "weights['w_i']", TypeError,
     r"weights\['w_i'\] is a SymPy expression: pass dtype=object",
     lambda: scalar003.from_scalar003({**S003, "w_i": A})),
    ("from_scalar003 missing", "weights", ValueError, r"weights is missing \['u_o'\]",
     lambda: scalar003.from_scalar003({k: v for k, v in S003.items() if k != "u_o"})),
    ("from_scalar003 dtype", "dtype", TypeError, r"dtype must be float32, float64 or object",
     lambda: scalar003.from_scalar003(S003, dtype=np.int64)),
    ("to_scalar003 H = 4", "params", ValueError, r"params must have H = D = 1, got H = 4",
     lambda: scalar003.to_scalar003(P)),
    # data
    ("Vocabulary empty", "chars", ValueError, r"chars is empty",
     lambda: data.Vocabulary("")),
    ("Vocabulary unsorted", "chars", ValueError, r"chars must be sorted and distinct",
     lambda: data.Vocabulary("ba")),
    ("Vocabulary not characters", "chars", TypeError, r"chars must be single characters",
     lambda: data.Vocabulary(["ab"])),
    ("Vocabulary.from_text int", "text", TypeError, r"text must be a non-empty string, got int",
     lambda: data.Vocabulary.from_text(5)),
    ("encode not a string", "text", TypeError, r"text must be a string, got list",
     lambda: VOCAB.encode(["a"])),
    ("encode unknown characters", "prime", ValueError, r"prime has characters outside the vocabulary: 'xz'",
     lambda: VOCAB.encode("zax", name="prime")),
    ("decode floats", "ids", TypeError, r"ids must be integer ids .*got dtype float64",
     lambda: VOCAB.decode([0.0, 1.0])),
    ("decode None", "ids", TypeError, r"ids must be integer ids .*got NoneType",
     lambda: VOCAB.decode(None)),
    ("decode out of range", "ids", ValueError, r"ids must lie in \[0, 3\)",
     lambda: VOCAB.decode(np.array([0, 3]))),
    ("split_held_out fraction 1", "fraction", ValueError, r"fraction must lie strictly between 0 and 1",
     lambda: data.split_held_out(IDS, 1.0)),
    ("split_held_out fraction string", "fraction", TypeError, r"fraction must be a number",
     lambda: data.split_held_out(IDS, "0.1")),
    ("split_held_out float ids", "ids", TypeError, r"ids must be a 1-d integer array .*got dtype float64",
     lambda: data.split_held_out(IDS.astype(float))),
    ("split_held_out too short", "ids", ValueError, r"ids is too short \(3\)",
     lambda: data.split_held_out(IDS[:3])),
    ("batches seq_len 0", "seq_len", ValueError, r"seq_len must be a positive integer",
     lambda: list(data.batches(IDS, seq_len=0, batch_size=4))),
    ("batches too few ids", "ids", ValueError, r"ids has 20 characters: too few for 4 streams",
     lambda: list(data.batches(IDS[:20], seq_len=7, batch_size=4))),
    ("batches 2-d ids", "ids", TypeError, r"ids must be a 1-d integer array .*got shape \(4, 10\)",
     lambda: list(data.batches(IDS.reshape(4, 10), seq_len=2, batch_size=2))),
    ("batches None", "ids", TypeError, r"ids must be a 1-d integer array .*got NoneType",
     lambda: list(data.batches(None, seq_len=2, batch_size=2))),
    # symbolic.verify_gradient
    ("verify_gradient hand NaN", "hand", ValueError, r"hand is nan: it must be a finite expression",
     lambda: verify_gradient(float("nan"), A ** 2, A)),
    ("verify_gradient hand None", "hand", TypeError, r"hand must be a SymPy expression, Matrix or object array",
     lambda: verify_gradient(None, A ** 2, A)),
    ("verify_gradient hand string", "hand", TypeError, r"hand must be a SymPy expression, .*got str",
     lambda: verify_gradient("2*a", A ** 2, A)),
    ("verify_gradient hand entry None", "hand", TypeError, r"an entry of hand must be a SymPy expression",
     lambda: verify_gradient(np.array([2 * A, None], dtype=object), A * B_, np.array([A, B_]))),
    ("verify_gradient loss None", "loss", TypeError, r"loss must be a SymPy expression or a number, got NoneType",
     lambda: verify_gradient(2 * A, None, A)),
    ("verify_gradient loss string", "loss", TypeError, r"loss must be a SymPy expression .*got str",
     lambda: verify_gradient(2 * A, "a**2", A)),
    ("verify_gradient loss Matrix", "loss", TypeError, r"loss must be a SymPy expression .*Matrix",
     lambda: verify_gradient(2 * A, sp.Matrix([A ** 2]), A)),
    ("verify_gradient loss inf", "loss", ValueError, r"loss is oo",
     lambda: verify_gradient(2 * A, sp.oo, A)),
    ("verify_gradient wrt None", "wrt", TypeError, r"wrt must be a SymPy expression, Matrix or object array",
     lambda: verify_gradient(2 * A, A ** 2, None)),
    ("verify_gradient wrt not symbols", "wrt", TypeError, r"wrt must hold SymPy Symbols",
     lambda: verify_gradient(2 * A, A ** 2, 2 * A)),
    ("verify_gradient shapes", "wrt", ValueError, r"hand has 2 entries but wrt has 1",
     lambda: verify_gradient(sp.Matrix([A, B_]), A * B_, A)),
    # activations
    ("sigmoid string", "z", TypeError, r"z must be a real floating array",
     lambda: activations.sigmoid("abc")),
    ("softmax complex", "z", TypeError, r"z must be a real floating array, got dtype complex128",
     lambda: activations.softmax(np.array([1 + 2j]))),
    ("tanh None", "z", TypeError, r"z must be a real floating array, got dtype object",
     lambda: activations.tanh(None)),
]


@pytest.mark.parametrize("argument,error,message,call",
                         [pytest.param(*case[1:], id=case[0]) for case in CASES])
def test_bad_input_is_refused_by_name(argument, error, message, call):
    with pytest.raises(error, match=message) as info:
        call()
    assert argument in str(info.value)


def test_the_table_is_large_and_its_ids_unique():
    assert len(CASES) >= 45
    assert len({case[0] for case in CASES}) == len(CASES)


def test_good_input_is_still_accepted():
    zero_d = {k: np.array(v) for k, v in S003.items()}               # 0-d arrays (lesson 04)
    ints = {k: 1 for k in S003}
    for weights in (S003, zero_d, ints, {k: np.float64(v) for k, v in S003.items()}):
        params = scalar003.from_scalar003(weights)
        assert params["W_f"].dtype == np.float64 and params["W_f"].shape == (1, 2)
    syms = {k: sp.Symbol(k) for k in S003}
    assert scalar003.from_scalar003(syms, dtype=object)["W_o"][0, 1] == syms["w_o"]
    assert seo000.from_seo({k: 2 for k in SEO})["W_f"].tolist() == [[2.0, 2.0]]
    assert seo000.from_seo({k: sp.Symbol(k) for k in SEO})["W_f"].dtype == object
    assert gomez002.from_gomez(np.ones((4, 2)), np.ones(4), np.ones(4))["W_c"].shape == (1, 3)
    assert VOCAB.decode([0, 1, 2]) == "abc" and VOCAB.decode([]) == ""
    assert VOCAB.decode(np.array([[2], [0]], dtype=np.int32)) == "ca"
    assert verify_gradient(2, 2 * A, A) and verify_gradient(np.float64(0.0), B_, A)
    assert verify_gradient(sp.Matrix([B_, A]), A * B_, np.array([A, B_], dtype=object))
