"""Execute the lessons from a fresh kernel and build the course site from them.

Used by ``make course`` (execute into build/notebooks/, then build the site in build/site/
with Sphinx, MyST-NB and the book theme, from docs/) and ``make notebooks`` (re-execute the
committed notebooks in place, so that their outputs match the package).

The course map (each lesson's title, summary, prerequisites, time and what the learner does)
is made in one place, :func:`course_map_markdown`, from the lessons themselves (title, exercises)
and ``docs/lessons.toml`` (the rest): the site's home page shows it, and the README's table can
be printed from it.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
DOCS_DIR = ROOT / "docs"
LESSON_TABLE = DOCS_DIR / "lessons.toml"
_EXERCISE = re.compile(r"""check\(\s*["'](\d\d\.\d+)["']""")


def lessons(notebook_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    """The lesson notebooks in course order (their names start with the lesson number)."""
    found = sorted(p for p in Path(notebook_dir).glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise FileNotFoundError(f"no lesson notebooks (NN_name.ipynb) in {notebook_dir}")
    return found


def _cells(nb) -> list:
    return nb["cells"] if isinstance(nb, dict) else nb.cells


def _source(cell) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def _title(nb) -> str:
    """A lesson's title: its first Markdown heading (the site, its navigation and the map use it)."""
    for cell in _cells(nb):
        if cell["cell_type"] == "markdown":
            for line in _source(cell).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return "untitled"


def _exercises(nb) -> list[str]:
    """The exercise keys a lesson asks (its ``check("NN.k", ...)`` cells), in order, once each."""
    keys = []
    for cell in _cells(nb):
        if cell["cell_type"] == "code":
            keys += [k for k in _EXERCISE.findall(_source(cell)) if k not in keys]
    return keys


@dataclass(frozen=True)
class Lesson:
    """One row of the course map."""
    stem: str                  # 01_gates
    title: str                 # the notebook's first heading
    summary: str               # one line: what it covers
    after: tuple[str, ...]     # stems of the lessons to read first
    background: str            # what else it assumes
    minutes: int               # a time estimate, reading, running and exercises included
    you_do: str                # what the learner does, besides reading
    exercises: tuple[str, ...]  # the keys of its "Your turn" exercises, from the notebook


def lesson_table(notebook_dir: Path = NOTEBOOK_DIR, table: Path = LESSON_TABLE) -> list[Lesson]:
    """The course map's rows: titles and exercises from the notebooks, the rest from the table."""
    facts = tomllib.loads(Path(table).read_text(encoding="utf-8"))
    rows = []
    for path in lessons(notebook_dir):
        if path.stem not in facts:
            raise KeyError(f"{table} has no entry [{path.stem}] for {path.name}")
        entry = facts[path.stem]
        nb = json.loads(path.read_text(encoding="utf-8"))
        rows.append(Lesson(path.stem, _title(nb), entry["summary"].strip(),
                           tuple(entry.get("after", ())), entry.get("background", "").strip(),
                           int(entry["minutes"]), entry["you_do"].strip(),
                           tuple(_exercises(nb))))
    return rows


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"about {minutes} min"
    return f"about {hours} h" + (f" {rest} min" if rest else "")


def _lesson_list(stems, titles, link) -> str:
    """"lesson 01", "lessons 01, 03" or, for a run of three or more, "lessons 01–04" (linked)."""
    stems = [s for s in stems if s in titles]
    if not stems:
        return ""
    linked = [f"[{s[:2]}]({link.format(stem=s)})" for s in stems]
    order = list(titles)
    positions = [order.index(s) for s in stems]
    if len(stems) >= 3 and positions == list(range(positions[0], positions[0] + len(stems))):
        return f"lessons {linked[0]}–{linked[-1]}"
    return ("lesson " if len(stems) == 1 else "lessons ") + ", ".join(linked)


def course_map_markdown(notebook_dir: Path = NOTEBOOK_DIR, *, layout: str = "table",
                        link: str = "{stem}.ipynb", titled_links: bool = True) -> str:
    """The course map in Markdown: per lesson its title, summary, prerequisites, time estimate
    and what the learner does (exercises counted from the notebook).

    ``layout="table"``: one table row per lesson (the README's course map, with
    ``link="notebooks/{stem}.ipynb"``); ``layout="blocks"``: one MyST container per lesson (the
    site's home page). ``titled_links=False`` leaves link texts empty: MyST then shows each
    lesson's own title, so the site cannot disagree with the notebooks.
    """
    if layout not in ("table", "blocks"):
        raise ValueError(f"layout must be 'table' or 'blocks', got {layout!r}")
    rows = lesson_table(notebook_dir)
    titles = {r.stem: r.title for r in rows}
    out = []
    if layout == "table":
        out += ["| lesson | what it covers | before it | time | what you do |",
                "|---|---|---|---|---|"]
    for r in rows:
        name = f"[{r.title if titled_links else ''}]({link.format(stem=r.stem)})"
        before = "; ".join(x for x in (_lesson_list(r.after, titles, link), r.background) if x)
        does = r.you_do
        if r.exercises:
            span = r.exercises[0] if len(r.exercises) == 1 else \
                f"{r.exercises[0]}–{r.exercises[-1]}"
            does += f"; {len(r.exercises)} exercises, checked on the spot (*Your turn* {span})"
        if layout == "table":
            out.append(f"| {name} | {r.summary} | {before or '—'} | {_duration(r.minutes)} "
                       f"| {does} |")
        else:
            out += [":::{container} course-map-lesson", "",
                    f"**{name}** · {_duration(r.minutes)}", "", r.summary, "",
                    f"**Before it:** {before or 'nothing but the background above'}", "",
                    f"**You do:** {does}", "", ":::", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def execute(path: Path, timeout: int = 600):
    """Execute one notebook from a fresh kernel, in its own folder; return (nb, seconds)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    # the kernel's own log (a notice about its local TCP sockets) would break the one-line report
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   extra_arguments=["--IPKernelApp.log_level=ERROR"],
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb, time.perf_counter() - start


class SiteError(RuntimeError):
    """The site could not be built (a missing package, or Sphinx's warnings: a dead link...)."""


def build_site(notebook_dir: Path, out: Path) -> Path:
    """Build the course site from executed lessons in ``notebook_dir`` into ``out``.

    No lesson is executed here (MyST-NB runs with execution off). docs/ and the lessons are
    copied to a sibling folder ``<out>-src`` and Sphinx builds from it; any Sphinx warning (a
    link to no page, a missing file, a bad directive) fails the build. Returns out/index.html.
    """
    for module in ("sphinx", "myst_nb", "sphinx_book_theme", "mathjax"):
        try:
            __import__(module)
        except ImportError as exc:
            raise SiteError(f"the site needs the site extra: pip install -e '.[site]' ({exc})") \
                from exc
    out = Path(out)
    src = out.with_name(out.name + "-src")
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(DOCS_DIR, src, ignore=shutil.ignore_patterns("__pycache__", "_build"))
    for path in lessons(notebook_dir):
        shutil.copy2(path, src / path.name)
    if out.exists():
        shutil.rmtree(out)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going",
               "-d", str(src / "_doctrees"), str(src), str(out)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise SiteError(f"sphinx-build failed (exit {done.returncode}):\n"
                        f"{(done.stderr or done.stdout).strip()}")
    return out / "index.html"


def build(out: Path | None, in_place: bool = False, notebook_dir: Path = NOTEBOOK_DIR) -> int:
    """Execute every lesson; write the executed copies back in place, or to ``out/notebooks``
    and then the site to ``out/site``.

    Prints one line per notebook, then where the site is; returns the number of failures.
    """
    try:
        import nbformat
        from nbclient.exceptions import CellExecutionError
    except ImportError as exc:  # the notebooks extra is not installed
        raise SystemExit(f"`course` needs the notebooks extra: pip install -e '.[notebooks]' "
                         f"({exc})") from exc
    executed = None
    if out is not None:
        executed = Path(out) / "notebooks"
        if executed.exists():
            shutil.rmtree(executed)
        executed.mkdir(parents=True)
    failures = 0
    for path in lessons(notebook_dir):
        try:
            nb, seconds = execute(path)
        except CellExecutionError as exc:
            failures += 1
            first = str(exc).strip().splitlines()[-1] if str(exc).strip() else "error"
            print(f"{path.name:<32} FAILED  {first}", flush=True)
            continue
        n_code = sum(c.cell_type == "code" for c in nb.cells)
        print(f"{path.name:<32} ok  {seconds:6.1f} s  {n_code} code cells", flush=True)
        if in_place:
            nbformat.write(nb, path)
        if executed is not None:
            nbformat.write(nb, executed / path.name)
    if out is None:
        return failures
    if failures:
        print(f"site not built: {failures} lesson(s) failed to execute", flush=True)
        return failures
    site = Path(out) / "site"
    start = time.perf_counter()
    try:
        index = build_site(executed, site)
    except SiteError as exc:
        print(f"site not built: {exc}", flush=True)
        return 1
    pages = sum("_static" not in p.parts for p in site.rglob("*.html"))
    # build/index.html, where earlier versions of the course put their index, leads to the site
    (Path(out) / "index.html").write_text(
        '<!doctype html><meta charset="utf-8"><title>LSTM from scratch</title>'
        '<meta http-equiv="refresh" content="0; url=site/index.html">'
        '<a href="site/index.html">The course</a>\n', encoding="utf-8")
    shown = index.relative_to(Path.cwd()) if index.is_relative_to(Path.cwd()) else index
    print(f"site built in {time.perf_counter() - start:.1f} s: {pages} pages in {site}/")
    print(f"  open it, offline: {index.resolve().as_uri()}  (no server, no network needed)")
    print(f"  or serve it: python -m http.server -d {shown.parent} 8000, "
          f"then http://localhost:8000/")
    return 0
