"""The quiz in real Chromium through the Voilà app: wrong, then right, then the summary."""

from __future__ import annotations

from awareness.content.course import load_course
from awareness.quiz.model import load_banks, load_ui
from tests.app.pages import LOAD_TIMEOUT, open_lesson, show_part_of
from tests.conftest import ROOT

LANG = "nb"
LESSON = "04-prevention"


def _label(ui, q, option):
    if option.text is None:
        return ui.t(option.id, LANG)
    return option.text[LANG]


def test_answer_wrong_then_right_and_finish(app_url, offline_page):
    ui = load_ui(ROOT)
    bank = load_banks(ROOT)[LESSON]
    page = offline_page.page
    open_lesson(page, app_url, LANG, LESSON)
    show_part_of(page, ".quiz")  # the part of the lesson with the quiz
    quiz = page.locator(".quiz")
    quiz.scroll_into_view_if_needed()
    check = quiz.get_by_role("button", name=ui.t("check", LANG))
    check.wait_for(timeout=LOAD_TIMEOUT)

    # The page does not know the answers before the student checks.
    html = page.content()
    for q in bank.questions:
        for option in q.options:
            assert option.feedback[LANG] not in html

    total = len(bank.questions)
    for n, q in enumerate(bank.questions, 1):
        quiz.get_by_text(ui.t("progress", LANG, n=n, total=total)).wait_for()
        if n == 1:
            wrong = next(o for o in q.options if not o.correct)
            quiz.get_by_label(_label(ui, q, wrong), exact=True).check()
            check.click()
            verdict = quiz.locator(".quiz-feedback-wrong .quiz-verdict")
            verdict.wait_for()
            assert verdict.inner_text().strip() == f"✘ {ui.t('wrong', LANG)}"
            quiz.get_by_text(wrong.feedback[LANG]).wait_for()
            quiz.get_by_role("button", name=ui.t("try_again", LANG)).click()
            check.wait_for()
        for option in q.options:
            if option.correct:
                quiz.get_by_label(_label(ui, q, option), exact=True).check()
        check.click()
        verdict = quiz.locator(".quiz-feedback-correct .quiz-verdict")
        verdict.wait_for()
        assert verdict.inner_text().strip() == f"✔ {ui.t('correct', LANG)}"  # icon AND words
        last = n == total
        quiz.get_by_role("button", name=ui.t("finish" if last else "next", LANG)).click()

    summary = quiz.locator(".quiz-summary")
    summary.wait_for()
    text = summary.inner_text()
    assert ui.t("score", LANG, right=total - 1, total=total) in text
    assert load_course(ROOT).section_title(bank.questions[0].revisit, LANG) in text
    assert "Traceback" not in page.content()
    assert offline_page.external == []
    assert offline_page.errors == []


ROWS_APART = """() => {
  const rows = [...document.querySelectorAll('.quiz .quiz-choices label, .quiz .quiz-check')]
    .filter((row) => row.offsetParent !== null);
  const problems = [];
  rows.forEach((row, i) => {
    const input = row.querySelector('input');
    input.scrollIntoView({block: 'center'});
    const r = input.getBoundingClientRect();
    const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    if (!hit || !row.contains(hit)) problems.push('covered: ' + row.innerText.slice(0, 50));
    if (i > 0) {
      const above = rows[i - 1].getBoundingClientRect();
      if (row.getBoundingClientRect().top < above.bottom - 1)
        problems.push('overlaps the one above: ' + row.innerText.slice(0, 50));
    }
  });
  return {rows: rows.length, problems: problems};
}"""


def test_long_options_on_a_phone_wrap_without_covering_each_other(app_url, offline_page):
    """Every option of every lesson quiz, on a narrow screen: each row has room for its
    text, and a tap on a radio button or checkbox reaches that option."""
    ui = load_ui(ROOT)
    banks = load_banks(ROOT)
    page = offline_page.page
    page.set_viewport_size({"width": 360, "height": 740})
    checked_rows = 0
    for lesson_id, bank in banks.items():
        if bank.final is not None:
            continue  # the final quiz draws its questions from these banks
        open_lesson(page, app_url, LANG, lesson_id)
        show_part_of(page, ".quiz")
        quiz = page.locator(".quiz")
        check = quiz.get_by_role("button", name=ui.t("check", LANG))
        check.wait_for(timeout=LOAD_TIMEOUT)
        total = len(bank.questions)
        for n, q in enumerate(bank.questions, 1):
            quiz.get_by_text(ui.t("progress", LANG, n=n, total=total)).wait_for()
            layout = page.evaluate(ROWS_APART)
            assert layout["problems"] == [], f"{lesson_id} {q.id}: {layout['problems']}"
            checked_rows += layout["rows"]
            inputs = quiz.locator("input[type=radio], input[type=checkbox]")
            if inputs.count():
                inputs.last.check()  # the lowest row: the one a taller row above would cover
            check.click()
            quiz.locator(".quiz-verdict").first.wait_for()
            last = n == total
            quiz.get_by_role("button", name=ui.t("finish" if last else "next", LANG)).click()
        quiz.locator(".quiz-summary").wait_for()
    assert checked_rows > 30
