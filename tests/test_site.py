"""The course site: built once per session from the lessons as committed (executed; nothing is
run), then checked as files and in a real browser.

The browser part drives Debian's Chromium through Playwright (no browser download) with the
network blocked, page by page: the math is typeset, every internal link and every image
resolves, no request leaves the machine, the console stays clean. It saves a screenshot of
each page in build/site-screenshots/ (NAME.png: the first screen; NAME-full.png: the whole
page). Where no Chromium is installed it is skipped, and says why; under CI (CI set) a missing
browser is a failure, since .ci/run installs it first.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from lstm_course import course

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "build" / "site-screenshots"
LESSONS = [p.stem for p in course.lessons()]
PAGES = (["index", "running-locally"] + LESSONS
         + sorted(f"reference/{p.stem}" for p in (ROOT / "docs" / "reference").glob("*.md"))
         + ["search", "genindex"])
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
RAW_TEX = re.compile(r"\\(frac|partial|sigma|tanh|mathrm|tilde|circ|odot|hat|sum|left|right|"
                     r"begin|end|cdot|displaystyle|Delta|delta|nabla|operatorname|text)\b"
                     r"|\$\$|\\\(|\\\[|\$[^$\s][^$\n]{0,80}\$")


def _missing(what: str, reason: str):
    """Skip ``what`` saying why, or fail under CI, where .ci/run has installed everything."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} cannot run: {reason} (under CI it must: .ci/run installs Chromium "
                    f"and make test installs the site extra)")
    pytest.skip(f"{what} skipped: {reason}")


# ------------------------------------------------------------------ the site, as files

@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    for module in ("sphinx", "myst_nb", "sphinx_book_theme", "mathjax"):
        try:
            __import__(module)
        except ImportError:
            _missing("the site tests", f"the site extra is not installed ({module} missing): "
                                       f"pip install -e '.[site]'")
    return course.build_site(course.NOTEBOOK_DIR, tmp_path_factory.mktemp("course") / "site") \
        .parent


class _Html(HTMLParser):
    """What the checks need from a page: ids, links (with their text and classes), resources."""
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
            "track", "wbr"}

    def __init__(self, text: str):
        super().__init__()
        self.ids, self.links, self.resources, self._stack, self._open = set(), [], [], [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attrs[key])
        classes = set((attrs.get("class") or "").split())
        if tag == "a" and attrs.get("href") is not None:
            link = {"href": attrs["href"], "text": "", "classes": classes,
                    "within": set().union(*(c for _, c in self._stack))}
            self.links.append(link)
            self._open.append(link)
        for key in ("src", "href"):
            if attrs.get(key) and tag in ("script", "img", "link", "source", "iframe"):
                self.resources.append((tag, attrs[key]))
        if tag not in self.VOID:
            self._stack.append((tag, classes))

    def handle_endtag(self, tag):
        if tag == "a" and self._open:
            link = self._open.pop()
            link["text"] = " ".join(link["text"].split())
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        for link in self._open:
            link["text"] += data


_PARSED: dict[Path, _Html] = {}


def _page(path: Path) -> _Html:
    if path not in _PARSED:
        _PARSED[path] = _Html(path.read_text(encoding="utf-8"))
    return _PARSED[path]


def _resolve(page: Path, href: str, site: Path) -> str | None:
    """Why the internal link ``href`` of ``page`` does not resolve, or None when it does."""
    parts = urlsplit(href)
    if parts.scheme or href.startswith("//"):
        return None if parts.scheme in ("http", "https", "mailto") else f"scheme {parts.scheme}"
    target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
    if target.is_dir():
        target = target / "index.html"
    if not target.is_relative_to(site.resolve()):
        return "leaves the site"
    if not target.is_file():
        return "no such file"
    if target.suffix == ".ipynb" and not {"_downloads", "_sources"} & set(target.parts):
        return "a notebook's JSON instead of its page"
    if parts.fragment and target.suffix == ".html" and parts.fragment not in _page(target).ids:
        return f"no anchor #{parts.fragment}"
    return None


def test_the_site_has_a_page_per_lesson_and_the_other_pages(site):
    for name in PAGES:
        assert (site / f"{name}.html").is_file(), f"{name}.html is missing"
    assert (site / "searchindex.js").is_file()


def test_every_internal_link_of_every_page_resolves(site):
    dead = []
    for page in sorted(site.rglob("*.html")):
        if "_static" in page.parts:
            continue
        for link in _page(page).links:
            why = _resolve(page, link["href"], site)
            if why:
                dead.append(f"{page.relative_to(site)}: {link['href']} ({why})")
    assert not dead, "dead links:\n" + "\n".join(dead)


def test_nothing_is_loaded_from_the_network(site):
    """Scripts, styles, fonts and images are files of the site; MathJax is the local copy."""
    remote = []
    for page in sorted(site.rglob("*.html")):
        for tag, url in _page(page).resources:
            if urlsplit(url).scheme in ("http", "https") or url.startswith("//"):
                remote.append(f"{page.relative_to(site)}: <{tag}> {url}")
    for css in site.rglob("*.css"):
        remote += [f"{css.relative_to(site)}: {u}" for u in
                   re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", css.read_text("utf-8"))]
    assert not remote, "\n".join(remote)
    lesson = _page(site / f"{LESSONS[0]}.html")
    mathjax = [url for tag, url in lesson.resources if tag == "script" and "mathjax" in url]
    assert mathjax == ["_static/mathjax/tex-chtml.js"], mathjax
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert list((site / "_static" / "mathjax").rglob("MathJax_Main-Regular.woff"))


def _sidebar(page: _Html) -> list[str]:
    return [link["text"] for link in page.links if "bd-docs-nav" in link["within"]]


def test_one_title_per_lesson_in_sidebar_map_and_navigation(site):
    """The sidebar, the course map and previous/next all show each notebook's first heading."""
    titles = [course._title(json.loads((course.NOTEBOOK_DIR / f"{s}.ipynb").read_text("utf-8")))
              for s in LESSONS]
    sidebar = _sidebar(_page(site / "index.html"))
    assert [t for t in sidebar if t in titles] == titles, sidebar
    assert all(sidebar.count(t) == 1 for t in titles)
    index = _page(site / "index.html")
    in_map = [link for link in index.links if "course-map" in link["within"]]
    for stem, title in zip(LESSONS, titles):
        assert any(link["href"] == f"{stem}.html" and link["text"] == title for link in in_map), \
            f"the course map lacks {title!r}"
    order = ["index"] + LESSONS
    for k, stem in enumerate(LESSONS):
        page = _page(site / f"{stem}.html")
        assert _sidebar(page) == sidebar, f"{stem}: the sidebar differs from the home page's"
        prev = [link for link in page.links if "left-prev" in link["classes"]]
        nxt = [link for link in page.links if "right-next" in link["classes"]]
        assert prev and prev[0]["href"] == f"{order[k]}.html", f"{stem}: previous {prev}"
        assert nxt, f"{stem}: no next link"
        if k + 1 < len(LESSONS):
            assert nxt[0]["href"] == f"{LESSONS[k + 1]}.html"
            assert titles[k + 1] in nxt[0]["text"]


def test_the_course_map_has_every_lesson_with_its_facts(site):
    table = tomllib.loads(course.LESSON_TABLE.read_text("utf-8"))
    assert sorted(table) == LESSONS, "docs/lessons.toml must have one entry per lesson"
    for k, stem in enumerate(LESSONS):
        entry = table[stem]
        assert entry["summary"].strip() and entry["you_do"].strip(), stem
        assert 15 <= entry["minutes"] <= 300, stem
        assert set(entry.get("after", [])) <= set(LESSONS[:k]), \
            f"{stem}: 'after' names a lesson that is not before it"
    text = (site / "index.html").read_text("utf-8")
    for row in course.lesson_table():
        assert course._duration(row.minutes) in text
        if row.exercises:
            assert f"{len(row.exercises)} exercises" in text
    readme_table = course.course_map_markdown(link="notebooks/{stem}.ipynb")
    assert readme_table.count("\n") == len(LESSONS) + 2


def test_each_lesson_links_its_notebook_as_committed(site):
    for stem in LESSONS:
        page = _page(site / f"{stem}.html")
        downloads = [link["href"] for link in page.links
                     if link["href"].startswith("_downloads/")
                     and link["href"].endswith(f"/{stem}.ipynb")]
        assert downloads, f"{stem}: no link to download its notebook"
        assert (site / downloads[0]).read_bytes() == \
            (course.NOTEBOOK_DIR / f"{stem}.ipynb").read_bytes()


def test_lesson_links_in_notebooks_become_page_links(site):
    """The lessons' own links ("Next: ...", the course map) land on pages, never on JSON."""
    for stem in LESSONS:
        for link in _page(site / f"{stem}.html").links:
            path = urlsplit(link["href"]).path
            assert not path.endswith((".ipynb", ".md")) or path.startswith(
                ("_downloads/", "_sources/")), f"{stem}: {link['href']}"


def test_environment_yml_brings_the_site_extra():
    """Conda users get the site extra too: its packages listed, or the package installed with it."""
    text = (ROOT / "environment.yml").read_text()
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]["site"]
    listed = all(re.search(rf"^\s*-\s+{re.escape(req)}\s*$", text, re.M) for req in extra)
    assert listed or re.search(r"^\s*-\s+-e\s+\.\[[^\]]*\bsite\b[^\]]*\]\s*$", text, re.M)


def test_pytest_collects_no_notebook_of_docs_or_build():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert config["testpaths"] == ["tests", "notebooks"]
    assert {"build", "docs"} <= set(config["norecursedirs"])


# ------------------------------------------------------------------ the site, in a browser

def _chromium() -> str | None:
    candidates = [os.environ.get("LSTM_COURSE_CHROMIUM"), "/usr/bin/chromium",
                  shutil.which("chromium"), shutil.which("chromium-browser")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


@pytest.fixture(scope="session")
def browser(site):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the browser test", "Playwright is not installed (the site extra)")
    executable = _chromium()
    if executable is None:
        _missing("the browser test", "no Chromium found (looked for /usr/bin/chromium and "
                 "chromium on PATH; on Debian: apt-get install chromium; or set "
                 "LSTM_COURSE_CHROMIUM to a Chromium executable)")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield chromium
    chromium.close()
    playwright.stop()


class _Visit:
    """One page opened offline: every request outside the machine aborted and recorded."""

    def __init__(self, browser, url: str):
        self.remote, self.errors = [], []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", self._request)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on("requestfailed",
                     lambda r: self.errors.append(f"failed: {r.url} ({r.failure})"))
        self.page.goto(url, wait_until="load")
        # MathJax typesets after load; startup.promise settles when the page is done
        self.page.evaluate("async () => { if (window.MathJax && MathJax.startup) "
                           "await MathJax.startup.promise; }")

    def _route(self, route):
        if route.request.url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            self.remote.append(route.request.url)
            route.abort()

    def _request(self, request):
        if not request.url.startswith(LOCAL_SCHEMES) and request.url not in self.remote:
            self.remote.append(request.url)

    def close(self):
        self.context.close()


_VISIBLE_PROSE = """() => {
  const main = document.querySelector('.bd-article') || document.body;
  const copy = main.cloneNode(true);
  copy.querySelectorAll('pre, code, script, style, mjx-container, .highlight, kbd')
      .forEach(e => e.remove());
  return copy.textContent;
}"""

_IMAGES = """async () => {
  const images = Array.from(document.images);
  await Promise.all(images.map(i => i.complete ? null : new Promise(done => {
    i.loading = 'eager'; i.addEventListener('load', done); i.addEventListener('error', done);
    setTimeout(done, 5000); })));
  return images.filter(i => !i.naturalWidth).map(i => i.getAttribute('src'));
}"""


@pytest.mark.parametrize("name", PAGES)
def test_page_in_a_browser_offline(browser, site, name):
    page_file = site / f"{name}.html"
    visit = _Visit(browser, page_file.as_uri())
    try:
        page = visit.page
        typeset = page.evaluate("document.querySelectorAll('mjx-container').length")
        untypeset = page.evaluate("document.querySelectorAll("
                                  "'.math:not(:has(mjx-container))').length")
        errors = page.evaluate("Array.from(document.querySelectorAll('mjx-merror'))"
                               ".map(e => e.textContent)")
        raw = sorted({m.group(0) for m in RAW_TEX.finditer(page.evaluate(_VISIBLE_PROSE))})
        broken_images = page.evaluate(_IMAGES)
        hrefs = page.evaluate("Array.from(document.querySelectorAll('a[href]'))"
                              ".map(a => a.href)")
        page.screenshot(path=str(SCREENSHOTS / f"{name.replace('/', '-')}.png"))
        page.screenshot(path=str(SCREENSHOTS / f"{name.replace('/', '-')}-full.png"),
                        full_page=True)
    finally:
        visit.close()
    dead = []
    for href in hrefs:
        if href.startswith("file:"):
            relative = os.path.relpath(unquote(urlsplit(href).path), page_file.parent)
            fragment = urlsplit(href).fragment
            why = _resolve(page_file, relative + (f"#{fragment}" if fragment else ""), site)
            if why:
                dead.append(f"{href} ({why})")
    assert not visit.remote, f"requests that would leave the machine: {visit.remote}"
    assert untypeset == 0, f"{untypeset} formulas not typeset by MathJax"
    assert not errors, f"MathJax could not typeset: {errors}"
    assert not raw, f"raw TeX in the visible text: {raw}"
    assert not broken_images, f"images that do not load: {broken_images}"
    assert not dead, f"dead links: {dead}"
    assert not visit.errors, f"console errors: {visit.errors}"
    if name in LESSONS or name == "index":
        assert typeset > 0, "no formula typeset on a page that has formulas"


def test_search_works_offline(browser, site):
    visit = _Visit(browser, (site / "search.html").as_uri() + "?q=forget+gate")
    try:
        page = visit.page
        page.wait_for_function("document.querySelectorAll('#search-results li').length > 0",
                               timeout=15000)
        found = page.evaluate("Array.from(document.querySelectorAll('#search-results li a'))"
                              ".map(a => a.getAttribute('href'))")
        page.screenshot(path=str(SCREENSHOTS / "search-forget-gate.png"))
    finally:
        visit.close()
    assert any(href.startswith(f"{LESSONS[0]}.html") for href in found), found
    assert not visit.remote and not visit.errors, (visit.remote, visit.errors)
