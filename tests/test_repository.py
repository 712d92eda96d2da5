"""The repository itself: set-up files agree, notebooks are committed executed, README is true."""
import json
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ["01_gates", "02_cell_state", "03_hidden_state", "04_bptt", "05_two_timestep_example",
           "06_hamlet_char_model"]


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _split(req: str):
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def _pyproject_requirements() -> dict:
    project = _pyproject()["project"]
    reqs = list(project["dependencies"])
    for extra in ("test", "notebooks", "site"):
        reqs += project["optional-dependencies"][extra]
    return dict(_split(r) for r in reqs)


def _environment_requirements() -> dict:
    reqs = {}
    text = (ROOT / "environment.yml").read_text()
    for line in text[text.index("dependencies:"):].splitlines():
        m = re.match(r"^\s*-\s+(?!-e\b)([A-Za-z0-9_.\-]+[^:#]*?)\s*$", line)
        if m and not line.strip().endswith(":"):
            name, spec = _split(m.group(1))
            if name not in ("python", "pip"):
                reqs[name] = spec
    return reqs


def test_environment_yml_matches_pyproject():
    assert _environment_requirements() == _pyproject_requirements()
    assert "- -e ." in (ROOT / "environment.yml").read_text()


def test_every_dependency_has_a_bounded_range():
    project = _pyproject()["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    for req in reqs:
        _, spec = _split(req)
        assert ">=" in spec and "<" in spec.replace("<=", ""), f"{req} needs a lower and upper bound"
        assert "==" not in spec, f"{req} is pinned exactly"


def _notebooks():
    return sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_the_lessons_exist_in_order():
    names = [p.stem for p in _notebooks()]
    assert names[:len(LESSONS)] == LESSONS


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_notebook_kernelspec_is_the_one_jupyterlab_writes(path):
    """JupyterLab rewrites a notebook's kernelspec from the kernel's own spec when it opens it;
    committing exactly that spec keeps `make lab` from leaving the lessons modified in git."""
    kernel_spec = pytest.importorskip("jupyter_client.kernelspec")
    spec = kernel_spec.KernelSpecManager().get_kernel_spec("python3")
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"] == {"display_name": spec.display_name,
                                            "language": spec.language, "name": "python3"}


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_notebook_is_committed_executed_in_order(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, "a lesson without code"
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"code cells must be executed once each, top to bottom, from a fresh kernel: {counts}")
    for c in code:
        for out in c.get("outputs", []):
            assert out["output_type"] != "error", f"cell {c['execution_count']} has an error"
            if out["output_type"] == "stream":
                assert out["name"] != "stderr", f"cell {c['execution_count']} writes to stderr"


def test_readme_course_map_is_the_generated_one():
    """The README's course map is printed from the same data as the site's home page."""
    from lstm_course.course import course_map_markdown
    readme = (ROOT / "README.md").read_text()
    assert course_map_markdown(link="notebooks/{stem}.ipynb").strip() in readme


def test_the_shipped_recipe_is_written_as_the_makefile_runs_it():
    """`make model`'s command, word for word, in the README and in lesson 06 (prose that names
    another recipe than the one that made models/canon.npz would mislead)."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^model:.*\n\t\$\(PY\) (-m lstm_course train [^\n]+)$", makefile,
                       flags=re.M).group(1)
    words = " ".join(recipe.split())
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert f"python {words}" in readme
    lesson = " ".join(" ".join("".join(c["source"]) for c in _cells(
        ROOT / "notebooks" / "06_hamlet_char_model.ipynb") if c["cell_type"] == "markdown").split())
    assert f"python {words}" in lesson


def test_readme_commands_exist():
    readme = (ROOT / "README.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.M))
    used = set(re.findall(r"(?:`|^)make ([a-z][a-z-]*)", readme, flags=re.M))   # commands only
    assert {"course", "test"} <= used
    assert used <= targets, f"README mentions make targets the Makefile lacks: {used - targets}"
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, flags=re.M)
    for lesson in LESSONS:
        assert lesson in readme, f"README's course map misses {lesson}"


# ---------------------------------------------------------------- the lessons' rhythm

def _cells(path):
    return json.loads(path.read_text())["cells"]


def _has_figure(cell) -> bool:
    return any("image/png" in out.get("data", {}) or "image/svg+xml" in out.get("data", {})
               for out in cell.get("outputs", []))


@pytest.mark.parametrize("lesson", LESSONS)
def test_a_lesson_opens_with_why_in_a_picture(lesson):
    """At most about 150 words of prose before the first figure (DESIGN: "why, in a picture")."""
    words = 0
    for cell in _cells(ROOT / "notebooks" / f"{lesson}.ipynb"):
        if cell["cell_type"] == "code" and _has_figure(cell):
            break
        if cell["cell_type"] == "markdown":
            words += len(re.findall(r"[A-Za-z0-9']+", "".join(cell["source"])))
    else:
        pytest.fail("the lesson has no figure")
    assert words <= 170, f"{words} words before the first figure"


@pytest.mark.parametrize("lesson", LESSONS)
def test_code_cells_are_short(lesson):
    long = [(k, len("".join(c["source"]).splitlines()))
            for k, c in enumerate(_cells(ROOT / "notebooks" / f"{lesson}.ipynb"))
            if c["cell_type"] == "code" and len("".join(c["source"]).splitlines()) > 30]
    assert not long, f"code cells over 30 lines (cell index, lines): {long}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_no_run_of_true_lines(lesson):
    """A run of "...: True" lines belongs in a small table or in asserts."""
    for k, cell in enumerate(_cells(ROOT / "notebooks" / f"{lesson}.ipynb")):
        for out in cell.get("outputs", []):
            lines = "".join(out.get("text", "")).splitlines()
            run = 0
            for line in lines:
                run = run + 1 if line.rstrip().endswith("True") else 0
                assert run <= 3, f"cell {k}: more than three lines in a row end in True"


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_lesson_has_its_exercises_unanswered(lesson):
    """Each of the lesson's exercises is asked in it, committed with the placeholder ... and
    the deterministic "not answered yet" the checker prints for it."""
    from lstm_course import exercises
    number = lesson[:2]
    keys = [k for k in exercises.EXERCISES if k.startswith(number + ".")]
    assert len(keys) >= 4
    cells = _cells(ROOT / "notebooks" / f"{lesson}.ipynb")
    for key in keys:
        asked = [c for c in cells if c["cell_type"] == "code"
                 and re.search(rf"""check\(\s*["']{re.escape(key)}["']""", "".join(c["source"]))]
        assert asked, f"{key} is not asked in {lesson}"
        printed = "".join("".join(o.get("data", {}).get("text/plain", o.get("text", "")))
                          for c in asked for o in c.get("outputs", []))
        assert f"{key} not answered yet" in printed, f"{key} is committed answered"


# ---------------------------------------------------------------- every claim sourced

ARTICLE_ADDRESSES = {
    "000": "towardsdatascience.com/only-numpy-deriving-forward-feed-and-back-propagation-in-long-short-term-memory-lstm-part-1",
    "001": "towardsdatascience.com/lstm-gradients-b3996e6a0296",
    "002": "blog.aidangomez.ca/2016/04/17/Backpropogating-an-LSTM-A-Numerical-Example",
    "003": "medium.datadriveninvestor.com/long-short-term-memory-maths-part-2-e938b1b42f74",
    "004": "medium.com/mlearning-ai/building-a-neural-network-zoo-from-scratch-the-long-short-term-memory-network",
}


def _markdown(lesson: str) -> str:
    return "\n".join("".join(c["source"]) for c in _cells(ROOT / "notebooks" / f"{lesson}.ipynb")
                     if c["cell_type"] == "markdown")


@pytest.mark.parametrize("lesson", LESSONS)
def test_a_lesson_links_its_sources_and_the_reference_pages(lesson):
    text = _markdown(lesson)
    for page in ("reference/sources.md", "reference/crosswalk.md", "reference/errata.md"):
        assert f"]({page}" in text, f"{lesson} does not link {page}"
    assert "EQUATIONS.md" not in text and "shared/articles" not in text
    cited = {number for number in ARTICLE_ADDRESSES
             if re.search(rf"(?<![.,\d]){number}(?![\d.,])", text)}  # "001", not "0.001", "480,000"
    for number in cited:
        assert ARTICLE_ADDRESSES[number] in text, f"{lesson} cites {number} without its address"


def test_the_reference_pages_give_every_address_and_the_mark():
    sources = (ROOT / "docs" / "reference" / "sources.md").read_text()
    assert all(address in sources for address in ARTICLE_ADDRESSES.values())
    assert "(R)" in sources and "restated from memory" in sources
    for page in ("sources.md", "crosswalk.md", "errata.md"):
        assert (ROOT / "docs" / "reference" / page).is_file()
        assert f"docs/reference/{page}" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("lesson", LESSONS)
def test_no_number_is_said_to_be_printed_in_an_article(lesson):
    text = _markdown(lesson).lower()
    assert "printed in the article" not in text and "the article reports" not in text
