"""The static copy draws what the app draws: lesson pages of the real Voilà app (lite.js,
the kernel's widgets) and of the static copy, side by side in Chromium, have the same
chat, checklist and quiz elements, with the same classes, styles, attributes and text
(the quiz's options are shuffled per pupil in the app, so only its shape is compared).
In a full test run the app server is the session's, already running."""

from __future__ import annotations

from awareness.content.course import load_course
from tests.app.pages import open_lesson, whole_lesson, widgets_ready

COURSE = load_course()

# The elements in a canonical form: attributes sorted (and the class and style lists),
# without what only one side sets (the static script's own marks) and without styles
# and scripts; `text=False`: tags and classes only.
CANON = """
([selector, text]) => {
  const skip = ['data-aw-role', 'data-choice'];
  const canon = (el) => {
    if (el.nodeType === 3) return text ? el.data : '';
    if (el.nodeType !== 1 || el.tagName === 'STYLE' || el.tagName === 'SCRIPT') return '';
    const attrs = Array.from(el.attributes)
      .filter((a) => !skip.includes(a.name) && (text || a.name === 'class'))
      .map((a) => {
        let v = a.value;
        if (a.name === 'class') v = v.trim().split(/\\s+/).sort().join(' ');
        if (a.name === 'style') {
          v = v.split(';').map((x) => x.trim()).filter(Boolean).sort().join(';');
        }
        return [a.name, v];
      })
      .filter(([n, v]) => !(n === 'style' && v === ''))
      .map(([n, v]) => n + '=' + JSON.stringify(v)).sort();
    return '<' + el.tagName + ' ' + attrs.join(' ') + '>' +
      Array.from(el.childNodes).map(canon).join('') + '</' + el.tagName + '>';
  };
  return Array.from(document.querySelectorAll(selector)).map(canon);
}
"""

PARTS = [
    ("02-the-conversation", ".awareness-chat", True),
    ("02-the-conversation", ".quiz", False),
    ("04-prevention", ".awareness-chat", True),
    ("04-prevention", ".aw-checklist", True),
]


def test_static_pages_draw_what_the_app_draws(app_url, offline_page, file_page, static_site):
    lang = COURSE.languages[0]
    app, static = offline_page.page, file_page.page
    compared = 0
    for lesson in sorted({p[0] for p in PARTS}):
        open_lesson(app, app_url, lang, lesson, whole=True)
        widgets_ready(app)
        file_page.open(static_site.url(f"{lang}/{lesson}.html"))
        whole_lesson(static)
        for _, selector, text in (p for p in PARTS if p[0] == lesson):
            want = app.evaluate(CANON, [selector, text])
            got = static.evaluate(CANON, [selector, text])
            assert len(want) == 1 and got == want, (lesson, selector)
            compared += 1
    assert compared == len(PARTS)
    assert offline_page.external == [] and offline_page.errors == []
    assert file_page.outside == [] and file_page.errors == []
