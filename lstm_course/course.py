"""Execute the lessons from a fresh kernel and render them as an HTML course.

Used by ``make course`` (render to build/) and ``make notebooks`` (re-execute the
committed notebooks in place, so that their outputs match the package).
"""
from __future__ import annotations

import html
import time
from pathlib import Path

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"


def lessons(notebook_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    """The lesson notebooks in course order (their names start with the lesson number)."""
    found = sorted(p for p in Path(notebook_dir).glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise FileNotFoundError(f"no lesson notebooks (NN_name.ipynb) in {notebook_dir}")
    return found


def _title(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return "untitled"


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


def build(out: Path | None, in_place: bool = False, notebook_dir: Path = NOTEBOOK_DIR) -> int:
    """Execute every lesson; write executed copies and HTML to ``out`` (or back in place).

    Prints one line per notebook; returns the number of notebooks that failed.
    """
    try:
        import nbformat
        from nbclient.exceptions import CellExecutionError
        from nbconvert import HTMLExporter
    except ImportError as exc:  # the notebooks extra is not installed
        raise SystemExit(f"`course` needs the notebooks extra: pip install -e '.[notebooks]' "
                         f"({exc})") from exc
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    entries, failures = [], 0
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
        if out is not None:
            nbformat.write(nb, out / path.name)
            body, _ = HTMLExporter().from_notebook_node(nb)
            (out / path.with_suffix(".html").name).write_text(body, encoding="utf-8")
            entries.append((path.with_suffix(".html").name, _title(nb), seconds))
    if out is not None and entries:
        items = "\n".join(f'<li><a href="{name}">{html.escape(title)}</a> '
                          f"<small>(executed in {sec:.1f} s)</small></li>"
                          for name, title, sec in entries)
        (out / "index.html").write_text(
            "<!doctype html><html><head><meta charset='utf-8'>"
            "<title>LSTM from scratch, derived and verified</title></head><body>"
            "<h1>LSTM from scratch, derived and verified</h1>"
            f"<p>The lessons, in order:</p><ol>{items}</ol></body></html>\n", encoding="utf-8")
        print(f"course written to {out / 'index.html'}")
    return failures
