"""The serverless copy in Chromium, from file:// with the network blocked: every page
loads, the chats played down every path give what the app's widgets give, the quizzes
give the app's feedback and summary, progress survives a reload, and the phone layout
and accessibility hold."""

from __future__ import annotations

import re
from html import unescape

import pytest

from awareness.content.course import load_course
from awareness.conversation.engine import ChatEngine, all_paths
from awareness.conversation.widget import chat_widget
from awareness.quiz.engine import grade, shuffled_options
from awareness.quiz.widget import quiz_widget
from awareness.static.data import QUIZ_SEED, every_answer, html_links
from awareness.static.widgets_html import widget_html
from tests.app.axe import counts, run_axe, serious
from tests.conftest import csp_violations
from tests.static.conftest import ANSWER_QUIZ

COURSE = load_course()
LANGS = list(COURSE.languages)
# The chats the lessons show: (lesson, scenario) - from the notebooks' show_chat calls.
CHATS = [("02-the-conversation", "jonas"), ("04-prevention", "sara")]


def _assert_clean(fp) -> None:
    assert fp.errors == []
    assert fp.outside == []
    assert csp_violations(fp.page) == []


def test_every_page_loads(file_page, static_site):
    """Every page of every language, one tab: no error, no CSP violation, no request
    outside the folder; lesson pages show their parts and their widgets are wired."""
    fp = file_page
    fp.open(static_site.url("index.html"))
    assert fp.page.locator(".awareness-lessons li").count() == len(COURSE.lessons)
    for lang in LANGS:
        for name in static_site.pages[lang]:
            fp.open(static_site.url(f"{lang}/{name}"))
            assert fp.page.evaluate("document.documentElement.lang") == lang
            if name != "00-start.html":
                state = fp.page.evaluate(
                    "[document.body.dataset.awarenessSteps, document.body.dataset.awarenessStatic,"
                    " document.querySelectorAll('.aw-step').length]")
                assert state[:2] == ["ready", "ready"], (lang, name)
                shown = "getComputedStyle(document.getElementById('rendered_cells')).display"
                assert fp.page.evaluate(shown) != "none", (lang, name)  # voila_finish ran
                lesson = COURSE.lesson(name.removesuffix(".html"))
                assert state[2] == len(lesson.sections), (lang, name)
            _assert_clean(fp)
    assert any(u.endswith("/assets/static.js") for u in fp.inside)


# ------------------------------------------------------------------------------ chats

WALK = """
([paths, flagSets]) => {
  const chat = document.querySelector('.awareness-chat');
  const q = (r) => chat.querySelector(`[data-aw-role="${r}"]`);
  const text = (el) => el.textContent.replace(/\\s+/g, ' ').trim();
  const offered = () => Array.from(q('choices').querySelectorAll('button'))
    .filter((b) => b.style.display !== 'none')
    .map((b) => [b.getAttribute('data-choice'), b.textContent]);
  const clean = (el) => {
    const c = el.cloneNode(true);
    c.querySelectorAll('[tabindex], [data-seen]').forEach((e) => {
      e.removeAttribute('tabindex'); e.removeAttribute('data-seen'); });
    return c.innerHTML;
  };
  return paths.map((path, i) => {
    q('restart').click();
    const steps = [];
    for (const c of path) {
      steps.push(offered());
      const b = Array.from(q('choices').querySelectorAll('button'))
        .find((x) => x.getAttribute('data-choice') === c && x.style.display !== 'none');
      if (!b) { steps.push(['missing', c]); break; }
      b.click();
    }
    steps.push(offered());
    for (const id of flagSets[i]) {
      q('messages').querySelector(`.aw-msg[data-node="${id}"]`)
        .closest('.aw-row-left').querySelector('button.aw-flag-btn').click();
    }
    const ending = q('ending');
    return {steps, messages: text(q('messages')), progress: text(q('progress')),
            ending: ending.style.display === 'none' ? null
                    : clean(ending.querySelector('.widget-html-content')),
            back: q('back').disabled};
  });
}
"""

# The app's HTML as this browser reads it (the same serialisation as the page's).
NORMALISE = """
(items) => items.map((html) => {
  if (html === null) return null;
  const t = document.createElement('template');
  t.innerHTML = html;
  return t.innerHTML;
})
"""


def _text(html: str) -> str:
    """An HTML fragment's text as the page's textContent reads it, spaces squeezed."""
    text = unescape(re.sub(r"<[^>]*>", "", html))
    return re.sub(r"\s+", " ", text).strip()


def _covering(conv, paths) -> list[tuple[str, ...]]:
    """Paths that between them make every choice and show every message and ending (the
    first language walks every path; the others, whose graph is the same, these)."""
    chosen, seen = [], set()
    for path in sorted(paths, key=len, reverse=True):
        new = {*path, *(n.id for n in ChatEngine(conv, path).transcript)} - seen
        if new:
            chosen.append(path)
            seen |= new
    return chosen


def _flag_sets(conv, paths) -> list[list[str]]:
    """Per path, what to flag: nothing, every message from the other side, every other
    one, or exactly the warning signs (every note of the debrief comes up)."""
    sets = []
    for i, path in enumerate(paths):
        left = [n.id for n in ChatEngine(conv, path).transcript if conv.side(n) == "left"]
        left = list(dict.fromkeys(left))
        sets.append([[], left, left[::2], [n for n in left if conv.node(n).tags]][i % 4])
    return sets


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("lesson", "scenario"), CHATS)
def test_chat_parity_every_path(file_page, static_site, monkeypatch, lang, lesson, scenario):
    """Every path of the chat (in the first language; in the others, paths that make every
    choice and reach every message and ending), played in the page and in the app's
    widget: the same choices offered at each step, the same messages and feedback, the
    same progress line, and the same debrief (signs found, missed and wrongly flagged)
    for the flags set."""
    monkeypatch.setenv("AWARENESS_FAST", "1")  # no double-tap pause in the widget
    widget = chat_widget(lang, scenario=scenario)
    conv = widget.conversation
    paths = all_paths(conv)
    if lang != LANGS[0]:
        paths = _covering(conv, paths)  # every choice, message and ending, in fewer paths
    flags = _flag_sets(conv, paths)
    expected, html = [], []
    for path, flagged in zip(paths, flags, strict=True):
        widget._on_restart(None)
        steps = []
        for choice in path:
            steps.append([[b.choice_id, b.description] for b in widget.choice_buttons])
            widget.choose(choice)
        steps.append([[b.choice_id, b.description] for b in widget.choice_buttons])
        for node_id in flagged:
            widget._on_flag(node_id)
        ending = widget.ending_panel.value if widget.ending_panel.layout.display != "none" else None
        expected.append({"steps": steps, "back": widget.back_button.disabled})
        expected[-1]["messages"] = _text(widget_html(widget.message_list))
        expected[-1]["progress"] = _text(widget.progress_label.value)
        html.append(None if ending is None else html_links(ending))

    fp = file_page
    fp.open(static_site.url(f"{lang}/{lesson}.html#chat"))
    got = fp.page.evaluate(WALK, [[list(p) for p in paths], flags])
    want = fp.page.evaluate(NORMALISE, html)
    assert len(got) == len(paths)
    endings = set()
    for path, g, e, w in zip(paths, got, expected, want, strict=True):
        assert g["steps"] == e["steps"], path
        assert g["messages"] == e["messages"], path
        assert g["progress"] == e["progress"], path
        assert w is not None and g["ending"] == w, path
        assert g["back"] == e["back"]
        endings.add(ChatEngine(conv, path).current.id)
    assert endings == {n.id for n in conv.endings()}
    assert {c for p in paths for c in p} == {c.id for n in conv.decisions() for c in n.choices}
    _assert_clean(fp)
    print(f"{scenario} ({lang}): {len(paths)} paths, {len(endings)} endings alike")


# ------------------------------------------------------------------------------ quizzes

ANSWER = """
([passes]) => {
  const quiz = document.querySelector('.quiz');
  const q = (r) => quiz.querySelector(`[data-aw-role="${r}"]`);
  const html = (r) => q(r).querySelector('.widget-html-content').innerHTML;
  const feedback = [];
  const summaries = [];
  passes.forEach((plans) => {
    q('restart').click();
    plans.forEach((plan) => {
      plan.forEach(([kind, value]) => {
        const inputs = Array.from(q('inputs').querySelectorAll('input'));
        if (kind === 'pick') {
          inputs.forEach((input, i) => {
            const want = value.includes(i);
            if (input.type === 'radio' ? want : input.checked !== want) input.click();
          });
        } else {
          value.forEach((row) => q('inputs').querySelectorAll('.quiz-order-row')[row]
                                   .querySelectorAll('button')[1].click());
        }
        q('check').click();
        feedback.push(html('feedback'));
        if (q('try_again').style.display !== 'none') q('try_again').click();
      });
      q('next').click();
    });
    summaries.push(html('summary'));
  });
  return {feedback, summaries};
}
"""


def _plans(widget) -> list[list[list]]:
    """Two passes through the quiz, as the page gives the answers: first every answer
    to every question (the right one last; order: a few moves), then the right answer
    to every other question first (so the summary has right and wrong topics)."""
    first, second = [], []
    for index, question in enumerate(widget.session.questions):
        shown = shuffled_ids(question)
        if question.type == "order":
            first.append([["down", []], ["down", [0]], ["down", [1, 2]]])
            second.append([["down", []]])
            continue
        answers = every_answer(question, shown)
        right = [a for a in answers if grade(question, a).correct]
        wrong = [a for a in answers if not grade(question, a).correct]
        first.append([_pick(a, shown) for a in wrong + right])
        second.append([_pick(right[0] if index % 2 == 0 else wrong[0], shown)])
    return [first, second]


def _pick(answer: list[str], shown: list[str]) -> list:
    return ["pick", [shown.index(i) for i in answer]]


def shuffled_ids(question) -> list[str]:
    return [o.id for o in shuffled_options(question, QUIZ_SEED)]


def _play(widget, passes) -> tuple[list[str], list[str]]:
    """The same answers given to the app's quiz widget."""
    feedback, summaries = [], []
    for plans in passes:
        widget._on_restart()
        for plan in plans:
            for kind, value in plan:
                shown = list(widget._shown_ids)
                if kind == "pick":
                    picked = [shown[i] for i in value]
                    if widget.choices is not None and not widget.session.checked:
                        widget.choices.value = picked[0]
                    if widget.checkboxes and not widget.session.checked:
                        for box, option in zip(widget.checkboxes, shown, strict=True):
                            box.value = option in picked
                else:
                    for row in value:
                        widget._move(row, 1)
                widget._on_check()
                feedback.append(widget.feedback.value)
                if widget.try_again_button.layout.display != "none":
                    widget._on_try_again()
            widget._on_next()
        summaries.append(widget.summary.value)
    return feedback, summaries


@pytest.mark.parametrize("lang", LANGS)
def test_quiz_feedback_as_in_the_app(file_page, static_site, lang):
    """Every quiz: every possible answer to every question (order: a few) gets the
    feedback the app's quiz widget gives, and the same answers make the same summary."""
    fp = file_page
    total = 0
    for info in COURSE.lessons:
        widget = quiz_widget(info.id, lang, seed=QUIZ_SEED)
        passes = _plans(widget)
        want, summaries = _play(widget, passes)
        fp.open(static_site.url(f"{lang}/{info.id}.html"))
        got = fp.page.evaluate(ANSWER, [passes])
        norm = fp.page.evaluate(
            "(list) => list.map((h) => { const t = document.createElement('template');"
            " t.innerHTML = h; return t.innerHTML; })",
            # The one difference: links to lessons lead to their pages, not notebooks.
            [html_links(h) for h in [*want, *summaries]])
        assert got["feedback"] == norm[: len(want)], info.id
        assert got["summaries"] == norm[len(want):], info.id
        assert len(set(got["summaries"])) == 2, info.id
        total += len(want)
        _assert_clean(fp)
    print(f"quizzes ({lang}): {total} answers alike")


# ------------------------------------------------------------------------------ progress


def test_progress_survives_a_reload(file_page, static_site):
    """The part reached and the chat played are kept in localStorage (the app's keys):
    after a reload the lesson opens where the pupil was, with the part after the chat
    open, and the start page marks the lesson as started."""
    fp = file_page
    lang = LANGS[-1]
    url = static_site.url(f"{lang}/02-the-conversation.html")
    fp.open(url + "#chat")
    page = fp.page
    assert page.evaluate("document.querySelector('.aw-step:not([hidden])').dataset.part") == "chat"
    locked = "document.querySelector('.aw-step[data-part=\"chat\"] .aw-next').disabled"
    assert page.evaluate(locked) is True
    page.evaluate("""() => {
      const q = (r) => document.querySelector(`.awareness-chat [data-aw-role="${r}"]`);
      for (let i = 0; i < 20 && q('ending').style.display === 'none'; i++) {
        q('choices').querySelector('button[data-choice]').click();
      }
    }""")
    page.wait_for_timeout(50)
    assert page.evaluate(locked) is False
    kept = page.evaluate("JSON.parse(localStorage.getItem('awareness.progress'))")
    assert kept["lessons"]["02-the-conversation"]["played"] == {"chat": True}
    assert page.evaluate("localStorage.getItem('awareness.lang')") == lang
    page.goto(url)  # no part in the address: the one kept
    page.wait_for_selector("body[data-awareness-steps=ready]", state="attached")
    assert page.evaluate("document.querySelector('.aw-step:not([hidden])').dataset.part") == "chat"
    assert page.evaluate(locked) is False
    fp.open(static_site.url(f"{lang}/00-start.html"))
    started = '.awareness-lessons li[data-lesson="02-the-conversation"] .aw-badge-started'
    assert page.locator(started).is_visible()
    _assert_clean(fp)


# ------------------------------------------------------------------------------ look


def test_phone_layout_and_accessibility(file_page, static_site):
    """Lesson 02 in the first language, its chat played to an ending and a quiz answered:
    axe finds nothing serious or critical; at 360 px (the page resized, not reloaded)
    nothing is wider than the screen. The same for lesson 04 (checklist, Sara's chat),
    the last lesson with its quiz done, and the start page, at 360 px."""
    fp = file_page
    lang = LANGS[0]
    fp.page.set_viewport_size({"width": 1280, "height": 900})
    fp.open(static_site.url(f"{lang}/02-the-conversation.html"))
    fp.page.evaluate("document.querySelector('.aw-view').click()")
    fp.page.evaluate("""() => {
      const q = (r) => document.querySelector(`.awareness-chat [data-aw-role="${r}"]`);
      for (let i = 0; i < 20 && q('ending').style.display === 'none'; i++) {
        q('choices').querySelector('button[data-choice]').click();
      }
      document.querySelector('.aw-flag-btn').click();
      const quiz = document.querySelector('.quiz');
      quiz.querySelector('[data-aw-role="inputs"] input').click();
      quiz.querySelector('[data-aw-role="check"]').click();
    }""")
    _assert_clean(fp)  # before axe: its own script asks for a file:// connection
    found = run_axe(fp.page)
    counts(found, f"static {lang}/02-the-conversation")
    assert serious(found) == []
    for width in (360, 1280):
        fp.page.set_viewport_size({"width": width, "height": 800})
        wide = fp.page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, (width, wide)
    fp.page.set_viewport_size({"width": 360, "height": 800})
    # Lesson 04 (its checklist ticked, Sara's chat played) and the last lesson (its quiz
    # finished: the summary, the finish and the certificate), then the start page.
    fp.open(static_site.url(f"{lang}/04-prevention.html"))
    fp.page.evaluate("""() => {
      document.querySelector('.aw-view').click();
      document.querySelector('[data-aw-role="item"] input').click();
      const q = (r) => document.querySelector(`.awareness-chat [data-aw-role="${r}"]`);
      for (let i = 0; i < 20 && q('ending').style.display === 'none'; i++) {
        q('choices').querySelector('button[data-choice]').click();
      }
    }""")
    last = COURSE.lessons[-1].id
    for name in ("04-prevention", last, "00-start"):
        if name != "04-prevention":
            fp.open(static_site.url(f"{lang}/{name}.html"))
        if name == last:
            fp.page.evaluate("document.querySelector('.aw-view').click()")
            fp.page.evaluate(ANSWER_QUIZ)
            assert fp.page.locator(".quiz-summary").is_visible()
        _assert_clean(fp)
        found = run_axe(fp.page)
        counts(found, f"static {lang}/{name}")
        assert serious(found) == [], name
        assert fp.page.evaluate("document.documentElement.scrollWidth") <= 360, name
