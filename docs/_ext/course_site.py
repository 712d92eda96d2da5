"""The course site's own Sphinx extension.

- ``course-map``: a directive that writes the course map (lstm_course.course.course_map_markdown:
  titles and exercises from the lessons, the rest from lessons.toml).
- A lesson as a page (``source-read``, on the page only; the notebook a learner downloads is the
  lesson as committed):
    * a line under its title that downloads its notebook;
    * one title per page: when a lesson has several top-level headings ("# Part I ..."), every
      heading after its title goes one level down, so the sidebar shows the lesson once;
    * links between lessons show the target's own title (a link whose text starts "NN ·"), and
      links out of notebooks/ land on the site's pages (../README.md: the course map).
- MathJax: copied from the django-static-mathjax package into _static/mathjax/ (no CDN).
"""
from __future__ import annotations

import importlib.resources
import json
import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

LESSON = re.compile(r"^\d\d_\w+$")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
HEADING = re.compile(r"^(#{1,6})\s")
LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")
LESSON_TEXT = re.compile(r"^\d\d\s*·")
EMPTY_REFERENCE = re.compile(r"```\{toctree\}[^`]*?\nreference/\*\n```\n")
# MathJax files the site never loads: other combined bundles, node's entry, the CDN loader
MATHJAX_SKIP = ("tex-svg*.js", "tex-mml-*.js", "mml-*.js", "tex-chtml-full*.js", "node-main.js",
                "latest.js", "svg")


class CourseMap(SphinxDirective):
    """```{course-map}```: the table of lessons, with summary, prerequisites, time, exercises."""

    def run(self):
        from lstm_course.course import course_map_markdown

        srcdir = Path(self.env.srcdir)
        for path in srcdir.glob("[0-9][0-9]_*.ipynb"):
            self.env.note_dependency(str(path))
        self.env.note_dependency(str(srcdir / "lessons.toml"))
        text = course_map_markdown(srcdir, layout="blocks", titled_links=False)
        container = nodes.container(classes=["course-map"])
        self.state.nested_parse(self.content.__class__(text.splitlines(), "course-map"),
                                self.content_offset, container)
        return [container]


def _markdown_lines(nb: dict):
    """(cell, line index, line) for every Markdown line outside code fences."""
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        fence = None
        for i, line in enumerate(cell["source"]):
            m = FENCE.match(line)
            if m:
                if fence is None:
                    fence = m.group(1)[0]
                elif m.group(1)[0] == fence:
                    fence = None
                continue
            if fence is None:
                yield cell, i, line


def _link(match: re.Match, lessons: set[str]) -> str:
    bang, text, target = match.groups()
    path, hash_, fragment = target.partition("#")
    if bang or "://" in path or path.startswith(("mailto:", "#")) or not path:
        return match.group(0)
    if path in ("../README.md", "../docs/index.md"):
        return f"[{text}](index.md)"
    for prefix in ("../docs/", "../notebooks/"):
        if path.startswith(prefix):
            path = path[len(prefix):]
    if path.endswith(".ipynb") and path[:-6] in lessons and not fragment \
            and LESSON_TEXT.match(text):
        text = ""
    return f"[{text}]({path}{hash_}{fragment})"


def lesson_page(nb: dict, stem: str, lessons: set[str]) -> dict:
    """The lesson ``nb`` (a notebook as JSON) made into a page of the site (see the module)."""
    for cell in nb["cells"]:
        if isinstance(cell["source"], str):
            cell["source"] = cell["source"].splitlines(keepends=True)
    headings = [(cell, i, line) for cell, i, line in _markdown_lines(nb) if HEADING.match(line)]
    tops = [k for k, (_, _, line) in enumerate(headings) if line.startswith("# ")]
    title = headings[tops[0]][:2] if tops else None
    for cell, i, line in _markdown_lines(nb):
        cell["source"][i] = LINK.sub(lambda m: _link(m, lessons), line)
    if len(tops) > 1:  # from the second top-level heading on ("# Part II"), one level down
        for cell, i, line in headings[tops[1]:]:
            if not line.startswith("######"):
                cell["source"][i] = "#" + cell["source"][i]
    if title is not None:
        cell, i = title
        line = cell["source"][i]
        cell["source"][i] = line if line.endswith("\n") else line + "\n"
        cell["source"][i + 1:i + 1] = [
            "\n", "```{container} lesson-download\n",
            f"{{download}}`Download this lesson's notebook ({stem}.ipynb) <{stem}.ipynb>` to run "
            "it and answer its exercises in Jupyter: see [](running-locally.md).\n",
            "```\n", "\n"]
    return nb


def _source_read(app, docname: str, source: list[str]) -> None:
    if docname == app.config.root_doc and not any(Path(app.srcdir, "reference").glob("*.md")):
        # no reference page yet: leave out its sidebar part (an empty glob is a warning)
        source[0] = EMPTY_REFERENCE.sub("", source[0])
        return
    if not LESSON.match(docname) or not source[0].lstrip().startswith("{"):
        return
    srcdir = Path(app.srcdir)
    lessons = {p.stem for p in srcdir.glob("[0-9][0-9]_*.ipynb")}
    source[0] = json.dumps(lesson_page(json.loads(source[0]), docname, lessons))


def mathjax_dir() -> Path:
    """MathJax 3's browser components (es5/) as the django-static-mathjax package ships them."""
    try:
        es5 = importlib.resources.files("mathjax") / "static" / "mathjax" / "es5"
    except ModuleNotFoundError:
        es5 = None
    if es5 is None or not (Path(str(es5)) / "tex-chtml.js").is_file():
        raise ExtensionError("MathJax not found: the course site needs the site extra "
                             "(pip install -e '.[site]', which brings django-static-mathjax)")
    return Path(str(es5))


def _copy_mathjax(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        shutil.copytree(mathjax_dir(), Path(app.outdir) / "_static" / "mathjax",
                        ignore=shutil.ignore_patterns(*MATHJAX_SKIP), dirs_exist_ok=True)


def setup(app):
    mathjax_dir()  # fail early, with the remedy, when the package is missing
    app.add_directive("course-map", CourseMap)
    app.connect("source-read", _source_read)
    app.connect("build-finished", _copy_mathjax)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
