"""The serverless copy as files: every page, its size, nothing from outside the folder,
a strict CSP and no inline script on every page, the SCORM packages' manifests."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser

from awareness.content.course import load_course
from awareness.static.build import CSP, main
from awareness.static.data import html_links

COURSE = load_course()
MAX_BYTES = 3_000_000  # the whole folder, every language (issue 18)


class Tags(HTMLParser):
    """Every element's attributes and each script's text."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "script":
            self._script = attrs
            self.scripts.append((attrs, ""))

    def handle_data(self, data):
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def parse(path) -> Tags:
    tags = Tags()
    tags.feed(path.read_text(encoding="utf-8"))
    return tags


def test_every_lesson_in_every_language(static_site):
    folder = static_site.folder
    assert set(static_site.pages) == set(COURSE.languages)
    for lang in COURSE.languages:
        names = {"00-start.html", *(f"{lesson.id}.html" for lesson in COURSE.lessons)}
        assert {p.name for p in (folder / lang).iterdir()} == names
    assert (folder / "index.html").is_file()
    print(f"static build: {static_site.seconds:.1f} s")


def test_whole_folder_within_three_megabytes(static_site):
    size = sum(p.stat().st_size for p in static_site.folder.rglob("*") if p.is_file())
    print(f"build/static: {size / 1e6:.2f} MB for {len(COURSE.languages)} languages")
    assert size <= MAX_BYTES


def test_nothing_loads_from_outside_the_folder(static_site):
    """Only links a pupil follows (help services, tel:) leave the folder; every file a
    page loads (script, style, image, frame) is in it, and the CSS loads nothing else."""
    folder = static_site.folder
    pages = sorted(folder.rglob("*.html"))
    assert len(pages) == len(COURSE.languages) * (len(COURSE.lessons) + 2) + 1
    for page in pages:
        tags = parse(page).tags
        bases = [a["href"] for t, a in tags if t == "base"]
        base = (page.parent / bases[0]) if bases else page.parent
        for tag, attrs in tags:
            for attr in ("src", "srcset", "data", "poster"):
                value = attrs.get(attr)
                if value:
                    assert not re.match(r"^[a-z][a-z0-9+.-]*:|^//", value), (page, tag, value)
                    assert (base / value.split("#")[0]).resolve().is_file(), (page, value)
            if tag == "link" and attrs.get("rel") != "icon":
                href = attrs["href"]
                assert not re.match(r"^[a-z][a-z0-9+.-]*:|^//", href), (page, href)
                assert (base / href).resolve().is_file(), (page, href)
            if tag == "a" and attrs.get("href", "").endswith(".ipynb"):
                raise AssertionError(f"{page}: a link to a notebook: {attrs['href']}")
    for css in folder.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert not re.search(r"url\(\s*['\"]?(?!data:)", text), css
        assert "@import" not in text, css


def test_every_page_has_the_strict_csp_and_no_inline_script(static_site):
    for page in sorted(static_site.folder.rglob("*.html")):
        tags = parse(page)
        metas = [a for t, a in tags.tags if t == "meta" and a.get("http-equiv")]
        assert [m["content"] for m in metas] == [CSP], page
        for attrs, text in tags.scripts:
            if attrs.get("type") == "application/json":
                json.loads(text)  # data only: never run
            else:
                assert attrs.get("src") and not text.strip(), (page, attrs)
        assert not any(k.startswith("on") for _, a in tags.tags for k in a), page
    assert "script-src 'self'" in CSP and "unsafe-eval" not in CSP
    assert "connect-src 'none'" in CSP


def test_lesson_links_lead_to_static_pages():
    assert html_links('<a href="02-x.ipynb#chat">') == '<a href="02-x.html#chat">'
    assert html_links('<a href="../nn/00-start.ipynb">') == '<a href="../nn/00-start.html">'
    assert html_links('<a href="https://example.org/a.ipynb">') == (
        '<a href="https://example.org/a.ipynb">')


def test_scorm_packages(static_site):
    ns = {"cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
          "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2"}
    for lang in COURSE.languages:
        path = static_site.scorm / f"{lang}.zip"
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            assert names[0] == "imsmanifest.xml"
            root = ET.fromstring(zf.read("imsmanifest.xml"))
            assert root.findtext("cp:metadata/cp:schemaversion", namespaces=ns) == "1.2"
            resources = root.findall("cp:resources/cp:resource", ns)
            assert len(resources) == 1
            sco = resources[0]
            assert sco.get(f"{{{ns['adlcp']}}}scormtype") == "sco"
            assert sco.get("href") == f"scorm-{lang}.html"
            listed = {f.get("href") for f in sco.findall("cp:file", ns)}
            assert listed == set(names) - {"imsmanifest.xml"}
            assert f"{lang}/00-start.html" in listed
            launch = zf.read(f"scorm-{lang}.html").decode()
            assert f'src="{lang}/00-start.html"' in launch
            assert not [n for n in names if n.startswith("scorm-") and n != f"scorm-{lang}.html"]


def test_command_line(tmp_path, capsys):
    """``python -m awareness static`` (in this process: the build is what costs)."""
    from awareness.__main__ import main as awareness_main

    out = tmp_path / "static"
    assert awareness_main(["static", "--out", str(out), "--scorm", str(tmp_path / "scorm")]) == 0
    printed = capsys.readouterr().out
    assert f"{len(COURSE.languages)} languages" in printed and "SCORM 1.2" in printed
    assert (out / "index.html").is_file()
    assert sorted(p.name for p in (tmp_path / "scorm").iterdir()) == sorted(
        f"{lang}.zip" for lang in COURSE.languages)


def test_a_broken_lesson_is_one_line(tmp_path, monkeypatch, capsys):
    """A lesson call the copy cannot show stops the build with one line naming it."""
    import awareness.static.build as build_module

    def broken(lang, scenario, seed=None):
        raise ValueError("no such scenario")

    monkeypatch.setitem(build_module.PARTS, "show_chat", broken)
    assert main(["--out", str(tmp_path / "x"), "--scorm", ""]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "02-the-conversation.ipynb cell" in err and "no such scenario" in err
    assert not (tmp_path / "x").exists()


def test_the_script_holds_no_content():
    """static.js only walks the data: no word of the course, the chats, the quizzes or
    the checklists is in it (every one comes from the data the build writes)."""
    from awareness.checklist import load_checklists
    from awareness.conversation.model import load_conversation
    from awareness.paths import content_root
    from awareness.quiz.model import load_ui
    from awareness.static.build import ASSETS

    script = ASSETS["static.js"].read_text(encoding="utf-8")
    texts: set[str] = set()

    def collect(value) -> None:
        if isinstance(value, dict):
            for lang in COURSE.languages:
                if isinstance(value.get(lang), str):
                    texts.add(value[lang])
            for v in value.values():
                collect(v)
        elif isinstance(value, list):
            for v in value:
                collect(v)

    collect(COURSE.model_dump())
    for scenario in ("jonas", "sara"):
        collect(load_conversation(scenario=scenario).model_dump())
    collect(load_ui().model_dump())
    checklists, _ = load_checklists(content_root(), COURSE.languages)
    collect(checklists.model_dump())
    words = {t.strip() for t in texts if len(t.strip()) >= 4}
    assert len(words) > 100
    assert [w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", script)] == []


def test_broken_content_is_not_built(tmp_path, monkeypatch, capsys):
    """Content with problems: each problem on its line, then one line saying nothing was
    built (as `make app` refuses to start); no traceback, no folder."""
    from awareness.__main__ import main as awareness_main

    (tmp_path / "course.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    monkeypatch.setenv("AWARENESS_ROOT", str(tmp_path))
    assert awareness_main(["static", "--out", str(tmp_path / "out"), "--scorm", ""]) == 1
    captured = capsys.readouterr()
    assert "course.yaml" in captured.out and "Traceback" not in captured.out + captured.err
    assert captured.err.strip() == "The static copy was not built: fix the content problems above."
    assert not (tmp_path / "out").exists()
