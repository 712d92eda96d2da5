"""lstm_course.diagrams: each picture is drawn headless, returned, and shows what it claims.

The cell's annotations are read back from the figure and compared with a real step's values;
the unrolled graph highlights article 000's missing path only when asked; the "why LSTM"
numbers are measured (checked against lesson 04's own way of measuring them) and are exactly
what the plot draws; no function leaves a figure open besides the one it returns.
"""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from lstm_course import diagrams  # noqa: E402
from lstm_course.core import lstm, rnn  # noqa: E402
from lstm_course.core.params import GATES  # noqa: E402


@pytest.fixture(scope="module")
def survival():
    return diagrams.gradient_survival()


@pytest.fixture(autouse=True)
def no_show(monkeypatch):
    """The lesson calls plt.show(), never the package."""
    def fail(*args, **kwargs):
        raise AssertionError("a diagrams function called plt.show()")
    monkeypatch.setattr(plt, "show", fail)


def _step(H, seed):
    rng = np.random.default_rng(seed)
    params = lstm.init_params(2, H, rng=rng)
    for g in GATES:
        params[f"b_{g}"] = rng.uniform(-1.0, 1.0, H)
    x = rng.standard_normal((1, 2))
    h0, c0 = rng.uniform(-1, 1, (1, H)), rng.uniform(-1, 1, (1, H))
    h, c, step = lstm.step_forward(params, x, h0, c0)
    return x, h0, c0, h, c, step


def _texts(fig):
    return [t.get_text() for t in fig.findobj(Text)]


def _values(fig):
    """The cell's annotations, read back from the figure: name -> list of floats."""
    return {t.get_gid()[len("value:"):]: [float(v) for v in t.get_text().strip("[]").split(",")]
            for t in fig.findobj(Text) if (t.get_gid() or "").startswith("value:")}


def _gids(fig):
    return {a.get_gid() for a in fig.findobj() if a.get_gid()}


DRAWINGS = {
    "cell": lambda r: diagrams.draw_cell(),
    "cell with a step": lambda r: diagrams.draw_cell(_step(1, 0)[-1]),
    "unrolled, highlighted": lambda r: diagrams.draw_unrolled(True),
    "unrolled, plain": lambda r: diagrams.draw_unrolled(highlight_missing=False),
    "graph 004": lambda r: diagrams.draw_graph_004(),
    "two layers": lambda r: diagrams.draw_stack(),
    "two layers, four steps": lambda r: diagrams.draw_stack(4),
    "gradient survival": lambda r: diagrams.plot_gradient_survival(r),
}


@pytest.mark.parametrize("name", DRAWINGS)
def test_each_drawing_returns_its_figure_and_leaves_nothing_else_open(name, survival):
    before = set(plt.get_fignums())
    fig = DRAWINGS[name](survival)
    assert isinstance(fig, Figure)
    assert set(plt.get_fignums()) - before == {fig.number}
    fig.canvas.draw()                      # headless (Agg): every mathtext label parses
    plt.close(fig)
    assert set(plt.get_fignums()) == before


def test_a_bad_argument_leaves_no_figure():
    before = set(plt.get_fignums())
    with pytest.raises(TypeError):
        diagrams.draw_cell("not a step")
    with pytest.raises(ValueError, match="B = 1"):
        x, h0, c0 = np.zeros((2, 2)), np.zeros((2, 1)), np.zeros((2, 1))
        params = lstm.init_params(2, 1, rng=np.random.default_rng(0))
        diagrams.draw_cell(lstm.step_forward(params, x, h0, c0)[2])
    with pytest.raises(TypeError):
        diagrams.draw_unrolled("yes")
    with pytest.raises(TypeError):
        diagrams.plot_gradient_survival(diagrams.gradient_survival(T=3), T=5)
    with pytest.raises(ValueError, match="steps must be at least 2"):
        diagrams.draw_stack(1)
    assert set(plt.get_fignums()) == before


def test_the_stack_shows_both_gradients_layer_1_receives():
    fig = diagrams.draw_stack(3)
    texts = " ".join(_texts(fig))
    assert {"from-above", "from-right"} <= _gids(fig)
    assert texts.count("LSTM layer 1") == 3 and texts.count("LSTM layer 2") == 3
    assert "dropout acts here" in texts and "the top layer first" in texts
    plt.close(fig)


def test_the_cell_carries_the_gate_labels():
    fig = diagrams.draw_cell()
    texts = _texts(fig)
    plt.close(fig)
    for g in GATES:
        assert diagrams.GATE_SYMBOLS[g] in texts
    assert texts.count(r"$\sigma$") == 3 and "tanh" in texts
    for label in (r"$C_{t-1}$", r"$C_t$", r"$h_{t-1}$", r"$h_t$", r"$x_t$", r"$\tanh C_t$"):
        assert label in texts, label
    assert not _values(fig)                 # no step, no numbers


def test_the_cell_annotations_are_the_step_values():
    x, h0, c0, h, c, step = _step(1, 20261124)
    fig = diagrams.draw_cell(step)
    shown = _values(fig)
    title = fig.axes[0].get_title()
    plt.close(fig)
    expected = {"x": x[0], "h_prev": h0[0], "c_prev": c0[0], "f": step.f[0], "i": step.i[0],
                "c_tilde": step.c_tilde[0], "o": step.o[0], "c": c[0], "tanh_c": np.tanh(c[0]),
                "h": h[0], "f_c_prev": step.f[0] * c0[0], "i_c_tilde": step.i[0] * step.c_tilde[0]}
    assert set(shown) == set(expected)
    for name, value in expected.items():
        assert shown[name] == [round(float(v), 3) for v in value], name
    assert "H = 1" in title


def test_a_wider_cell_annotates_unit_0_and_says_so():
    x, h0, c0, h, c, step = _step(3, 5)
    fig, ax = plt.subplots()
    assert diagrams.draw_cell(step, ax=ax) is fig
    shown = _values(fig)
    title = ax.get_title()
    plt.close(fig)
    assert "unit 0 of H = 3" in title
    assert shown["f"] == [round(float(step.f[0, 0]), 3)]
    assert shown["h"] == [round(float(h[0, 0]), 3)]
    assert shown["x"] == [round(float(v), 3) for v in x[0]]


def test_the_missing_path_is_highlighted_only_when_asked():
    fig = diagrams.draw_unrolled(highlight_missing=True)
    on_gids, on_texts = _gids(fig), " ".join(_texts(fig))
    plt.close(fig)
    fig = diagrams.draw_unrolled(highlight_missing=False)
    off_gids, off_texts = _gids(fig), " ".join(_texts(fig))
    plt.close(fig)
    assert {"missing-path", "missing-label"} <= on_gids
    assert "article 000 leaves out" in on_texts and "S(1)" in on_texts
    assert not {"missing-path", "missing-label"} & off_gids
    assert "000" not in off_texts
    # either way the three paths BPTT sums are drawn, and the legend names them
    assert {"path-loss1", "path-z2", "path-cell"} <= off_gids
    assert {"path-loss1", "path-z2"} <= on_gids
    for texts in (on_texts, off_texts):
        assert "the loss at step 1" in texts and "clubbed" in texts and "$Z_2" in texts


def test_the_004_graph_says_what_it_is():
    fig = diagrams.draw_graph_004()
    texts = " ".join(_texts(fig)) + fig._suptitle.get_text()
    plt.close(fig)
    assert "drawn by the course from 004's description" in texts
    assert "reconstruction" in texts
    for name in ("d_hs", "d_cs", "d_f", "d_i", "d_c", "d_o", "d_z", "dh_next", "dc_next",
                 r"$W_y\,\cdot\; + b_y$", r"$y_t$", r"$Z_t$", "softmax"):
        assert name in texts, name


def test_gradient_survival_lstm_against_rnn(survival):
    r = survival
    assert list(r.distance) == list(range(1, 101))
    at50 = lambda curve: curve[50 - 1]  # noqa: E731
    # measured (seed 4): LSTM b_f = 3: 4.9e-2; RNN g = 0.5: 2.3e-17; RNN g = 1: 6.4e-5
    assert at50(r.lstm[3.0]) > 1e-2
    assert at50(r.rnn[0.5]) < 1e-15
    assert at50(r.lstm[3.0]) > 1e14 * at50(r.rnn[0.5])
    assert at50(r.lstm[3.0]) > 1e2 * at50(r.rnn[1.0])
    assert r.mean_forget[3.0] > r.mean_forget[1.0] > 0.5
    again = diagrams.gradient_survival()
    for k in r.lstm:
        assert np.array_equal(again.lstm[k], r.lstm[k])
    for k in r.rnn:
        assert np.array_equal(again.rnn[k], r.rnn[k])


def test_gradient_survival_is_lesson_04s_measurement():
    """The same numbers lesson 04 (section 5) gets by running core.lstm.backward over the
    last d steps and core.rnn.backward: its set-up replayed here."""
    H, D, T = 24, 4, 100
    rng = np.random.default_rng(4)
    xs = rng.standard_normal((T, 1, D))
    u = rng.standard_normal((1, H))
    u /= np.linalg.norm(u)
    base = lstm.init_params(D, H, rng=rng)
    for g in GATES:
        base[f"b_{g}"] = rng.uniform(-0.5, 0.5, H)
    rnn_params = rnn.init_params(D, H, rng=rng)
    rnn_params["b"] = rng.uniform(-0.5, 0.5, H)
    ours = diagrams.gradient_survival(forget_biases=(5.0,), rnn_scales=(1.0,))
    p = {**base, "b_f": np.full(H, 5.0)}
    hs, cs, _ = lstm.forward(p, xs)
    for d in (1, 10, 50, 100):
        t0 = T - d
        h_start = hs[t0 - 1] if t0 else np.zeros((1, H))
        c_start = cs[t0 - 1] if t0 else np.zeros((1, H))
        _, _, cache = lstm.forward(p, xs[t0:], h_start, c_start)
        dhs = np.zeros((d, 1, H))
        dhs[-1] = u
        want = np.linalg.norm(lstm.backward(p, cache, dhs)["h0"])
        assert ours.lstm[5.0][d - 1] == pytest.approx(want, rel=1e-9)
    _, cache = rnn.forward(rnn_params, xs)
    dhs = np.zeros((T, 1, H))
    dhs[-1] = u
    assert ours.rnn[1.0][-1] == pytest.approx(
        np.linalg.norm(rnn.backward(rnn_params, cache, dhs)["h0"]), rel=1e-12)
    # lesson 04 prints these two at d = 50
    assert f"{ours.lstm[5.0][49]:.1e}" == "9.4e-02" and f"{ours.rnn[1.0][49]:.1e}" == "6.4e-05"


def test_the_plot_draws_the_returned_numbers(survival):
    fig = diagrams.plot_gradient_survival(survival)
    ax = fig.axes[0]
    lines = {line.get_gid(): line for line in ax.get_lines() if line.get_gid()}
    scale = ax.get_yscale()
    plt.close(fig)
    assert scale == "log"
    want = {f"lstm:{k:g}": v for k, v in survival.lstm.items()}
    want.update({f"rnn:{k:g}": v for k, v in survival.rnn.items()})
    assert set(lines) == set(want)
    for gid, numbers in want.items():
        assert np.array_equal(lines[gid].get_xdata(), survival.distance)
        assert np.array_equal(lines[gid].get_ydata(), numbers)
