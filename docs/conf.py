"""Sphinx configuration of the course site (``make course`` builds it into build/site/).

The site is built from a copy of this folder with the executed lessons beside it
(lstm_course.course.build_site): the lessons are the pages NN_name, this folder's Markdown
files are the other pages. Nothing is executed here, nothing is fetched: MathJax is copied
from the django-static-mathjax package, the theme ships its fonts and scripts.

Pages that are not lessons:
  index.md            the home page and course map (its table comes from lessons.toml)
  running-locally.md  reading the site offline, running the lessons, rebuilding the site
  reference/*.md      sources, notation crosswalk, errata: any page put there joins the
                      "Sources, crosswalk, errata" part of the sidebar, in file-name order
A page links to a lesson as [](01_gates.ipynb) (from reference/: [](../01_gates.ipynb)); an
empty link text shows the lesson's own title. Any Sphinx warning fails the build: a link to a
missing page or anchor stops `make course` with the file and line.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

project = "LSTM from scratch, derived and verified"
author = "the authors of the LSTM course"
copyright = "the authors of the LSTM course"
html_title = "LSTM from scratch"

extensions = ["myst_nb", "sphinx.ext.mathjax", "course_site"]
root_doc = "index"
exclude_patterns = ["_build", "_doctrees", "_ext", "**.ipynb_checkpoints", "lessons.toml"]
# a lesson may skip a heading level (# then ###); that is no reason to fail the build
suppress_warnings = ["myst.header"]

# the lessons arrive executed (make course runs them first, the committed ones are executed)
nb_execution_mode = "off"
nb_merge_streams = True
nb_render_markdown_format = "myst"  # Markdown outputs get the same math as the cells
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

# MathJax 3 from a local copy (course_site copies it into _static/mathjax/), never a CDN
mathjax_path = "mathjax/tex-chtml.js"

html_theme = "sphinx_book_theme"
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "search_bar_text": "Search the course…",
}
# one search field (the header's), then the lessons
html_sidebars = {"**": ["navbar-logo.html", "sbt-sidebar-nav.html"]}
html_context = {"default_mode": "auto"}   # light or dark as the reader's system prefers
# search results without page excerpts: the excerpts are fetched, which a page opened from disk
# (file://) may not do; the results themselves work offline
html_show_search_summary = False
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_sourcelink_suffix = ""   # the download button gives the notebook itself, not .ipynb.txt
html_last_updated_fmt = None
html_show_copyright = False   # the footer names the authors once
