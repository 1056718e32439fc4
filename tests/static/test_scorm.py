"""The SCORM 1.2 package inside a small LMS: a test page that provides the API (as an
LMS does, on a parent window), the package unzipped and served over http from 127.0.0.1,
the course launched in a frame. The calls the course makes are recorded and checked:
initialize, completion when the last lesson's quiz is done, finish when it is closed.
(Over http, as an LMS serves it: Chromium gives every file:// page an origin of its own,
so a frame opened from disk cannot reach its parent's API.)"""

from __future__ import annotations

import functools
import http.server
import threading
import zipfile

import pytest

from awareness.content.course import load_course
from tests.static.conftest import ANSWER_QUIZ

COURSE = load_course()

LMS = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>A small LMS</title>
<script>
window.calls = [];
var status = "not attempted";
function record(name, args, result) { window.calls.push([name].concat(args)); return result; }
window.API = {
  LMSInitialize: function (a) { return record("LMSInitialize", [a], "true"); },
  LMSFinish: function (a) { return record("LMSFinish", [a], "true"); },
  LMSGetValue: function (k) {
    return record("LMSGetValue", [k], k === "cmi.core.lesson_status" ? status : ""); },
  LMSSetValue: function (k, v) {
    if (k === "cmi.core.lesson_status") status = v;
    return record("LMSSetValue", [k, v], "true"); },
  LMSCommit: function (a) { return record("LMSCommit", [a], "true"); },
  LMSGetLastError: function () { return "0"; },
  LMSGetErrorString: function () { return ""; },
  LMSGetDiagnostic: function () { return ""; }
};
</script></head>
<body><iframe id="sco" title="course" style="width:100%;height:90vh" src="sco/LAUNCH"></iframe>
</body></html>
"""


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def lms(static_site, tmp_path):
    lang = COURSE.languages[-1]
    with zipfile.ZipFile(static_site.scorm / f"{lang}.zip") as zf:
        zf.extractall(tmp_path / "sco")
    (tmp_path / "lms.html").write_text(LMS.replace("LAUNCH", f"scorm-{lang}.html"))
    # The same LMS without the frame: it opens the course in a window (the test does).
    frame = '<iframe id="sco" title="course" style="width:100%;height:90vh" src="sco/LAUNCH">'
    assert frame in LMS
    (tmp_path / "lms-window.html").write_text(LMS.replace(frame + "</iframe>", "<p>LMS</p>"))
    handler = functools.partial(Quiet, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield lang, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("how", ["frame", "window"])
def test_scorm_calls_in_an_lms(browser, lms, how):
    """The LMS shows the course in a frame of its page, or opens it in a window of its
    own (the API is then found through the opener)."""
    lang, base = lms
    context = browser.new_context(reduced_motion="reduce")
    outside: list[str] = []
    errors: list[str] = []

    def route(r):
        if r.request.url.startswith(base) or r.request.url.startswith(("data:", "about:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(base + ("lms.html" if how == "frame" else "lms-window.html"),
                  wait_until="load")
        course = page
        if how == "window":
            with page.expect_popup() as popup:
                page.evaluate(f"window.open('sco/scorm-{lang}.html', 'course')")
            course = popup.value
            course.on("pageerror", lambda exc: errors.append(str(exc)))
            course.wait_for_load_state("load")
        start = next(f for f in course.frames if f.url.endswith(f"/{lang}/00-start.html"))
        start.wait_for_load_state("load")
        calls = page.evaluate("window.calls")
        assert calls[0] == ["LMSInitialize", ""]
        assert ["LMSSetValue", "cmi.core.lesson_status", "incomplete"] in calls
        last = COURSE.lessons[-1].id
        with start.expect_navigation(wait_until="load"):
            start.click(f'.awareness-lessons a[href="{last}.html"]')
        lesson = start  # the same frame, now on the last lesson
        assert lesson.url.split("#")[0].endswith(f"/{lang}/{last}.html")
        assert not any(c[1:] == ["cmi.core.lesson_status", "completed"]
                       for c in page.evaluate("window.calls"))
        lesson.evaluate(ANSWER_QUIZ)
        calls = page.evaluate("window.calls")
        done = calls.index(["LMSSetValue", "cmi.core.lesson_status", "completed"])
        assert ["LMSCommit", ""] in calls[done:]
        assert ["LMSFinish", ""] not in calls  # still open
        if how == "frame":
            page.evaluate("document.getElementById('sco').src = 'about:blank'")  # closed
        else:
            course.close(run_before_unload=True)
        page.wait_for_timeout(300)
        calls = page.evaluate("window.calls")
        assert calls[-1] == ["LMSFinish", ""]
        assert [c[0] for c in calls].count("LMSInitialize") == 1
        assert [c[0] for c in calls].count("LMSFinish") == 1
        # Nothing but the status: no answers, no score.
        assert {c[1] for c in calls if c[0] == "LMSSetValue"} == {"cmi.core.lesson_status"}
        assert errors == [] and outside == []
    finally:
        context.close()
