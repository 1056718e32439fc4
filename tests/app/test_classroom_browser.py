"""Live class mode in Chromium: the teacher page shows a class's totals within a second
of a pupil's click; the key never shows on the projector; a pupil's page cannot fetch any
/teacher path. (Two pages open at once: Chromium comes from one address.)"""

from __future__ import annotations

import json
import time

from tests.app.axe import run_axe, serious
from tests.app.pages import poll, show_part_of, wait_ready, widgets_ready
from tests.app.test_classroom import (
    CHOICES,
    CONV,
    ITEM,
    KEY,
    LANG,
    api,
    new_class,
    pupil_session,
    run,
)
from tests.conftest import csp_violations


def test_the_teacher_page_shows_totals_within_a_second(class_server, offline_page):
    code = new_class(class_server)
    pick = CHOICES[1]
    # Two pupils have already chosen (simulated, from addresses of their own): the
    # browser's pupil is the third, the threshold.
    for i in range(2):
        run(pupil_session(class_server.url, f"?class={code}&tab=earlypupil{i}xyz", [("choose", 1)]))

    teacher = offline_page.context.new_page()
    teacher.goto(f"{class_server.url}teacher/classes/{code}?key={KEY}&lang={LANG}")
    poll(teacher, "document.body.dataset.version")
    assert KEY not in teacher.url  # taken out of the address bar
    teacher.reload()  # the tab kept the key: the page opens again
    poll(teacher, "document.body.dataset.version")
    assert KEY not in teacher.url
    assert KEY not in teacher.content() and KEY not in teacher.evaluate("document.body.innerText")
    assert code in teacher.locator(".aw-code").inner_text()
    join = teacher.locator(".aw-join-address").inner_text()
    assert "127.0.0.1" not in join and "localhost" not in join
    assert teacher.locator(".aw-qr svg").count() == 1
    shown = f".aw-item[data-item='{ITEM}']"
    assert teacher.evaluate(f"document.querySelector(\"{shown}\").hidden")  # two: not yet
    assert not serious(run_axe(teacher)), serious(run_axe(teacher))

    # The pupil: the start page with the code, its lesson link carries it.
    pupil = offline_page.page
    pupil.goto(f"{class_server.url}?class={code}")
    assert not serious(run_axe(pupil)), serious(run_axe(pupil))  # with the code box
    link = pupil.locator(".awareness-lessons a").nth(1)
    href = link.get_attribute("href")
    assert f"class={code}" in href and "tab=" in href
    link.click()
    wait_ready(pupil)
    widgets_ready(pupil)
    # The lesson carries the class on to the next lesson (awareness.js, when clicked).
    carried = pupil.evaluate(
        """() => { const a = [...document.querySelectorAll('a[href$=".ipynb"]')]
              .find(l => l.getAttribute('href').startsWith('03-'));
            a.addEventListener('click', e => e.preventDefault(), {once: true});
            a.click(); return a.href; }""")
    assert f"class={code}" in carried and "tab=" in carried, carried
    show_part_of(pupil, ".awareness-chat")
    # A pupil's page reaches no teacher path, with or without a code.
    for path in ("/teacher", f"/teacher/classes/{code}", "/teacher/api/classes",
                 f"/teacher/api/classes/{code}/results", f"/teacher/api/classes/{code}/events"):
        status = pupil.evaluate(
            "p => fetch(p, {cache: 'no-store'}).then(r => r.status, () => 0)", path)
        assert status == 403, (path, status)

    chat = pupil.locator(".awareness-chat", has_text=CONV.title[LANG])
    button = chat.get_by_role("button", name=pick.text[LANG], exact=True)
    button.wait_for()
    count = f"{shown} li[data-option='{pick.id}'] .aw-t-n"
    script = (f"(() => {{ const el = document.querySelector({json.dumps(shown)});"
              f" const n = document.querySelector({json.dumps(count)});"
              " return el && !el.hidden && n && n.textContent; })()")
    button.click()
    clicked = time.monotonic()
    value = poll(teacher, script, timeout=5000, every=20)
    elapsed = time.monotonic() - clicked
    assert value == "3" and elapsed <= 1.0, (value, elapsed)
    assert not serious(run_axe(teacher)), serious(run_axe(teacher))  # with totals
    assert not csp_violations(teacher) and not csp_violations(pupil)
    assert not offline_page.errors and not offline_page.external

    # Hide, then end: the projector says the class has ended.
    teacher.locator(".aw-toggle-totals").click()
    poll(teacher, f"document.querySelector({json.dumps(shown)}).hidden")
    teacher.locator(".aw-end-class").click()
    poll(teacher, "!document.querySelector('.aw-ended').hidden")
    assert api(class_server, "GET", f"classes/{code}/results")[0] == 404
    teacher.close()
