"""Two replicas behind HAProxy, for real (the `replicas` fixture: `make replicas
REPLICAS=2`'s script with small pools): warm-up, a class through the proxy, a replica
killed with SIGKILL, and the survivor stopped with SIGTERM while pupils are on it.

The tests run in this order and each goes on from where the one before left the class
(one replicas setup per session keeps them cheap).
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.parser import text_string_to_metric_families

from awareness.content.course import load_course
from awareness.conversation.engine import ChatEngine, all_paths
from awareness.conversation.model import load_conversation
from tests.app.pages import LOAD_TIMEOUT, poll, wait_ready
from tests.app.pupils import children
from tests.conftest import ROOT, fetch_full, pupil_address
from tests.deploy.conftest import COOKIE, SimPupil, status_of

COURSE = load_course(ROOT)
CONV = load_conversation(ROOT)
LANG = COURSE.default_language
LESSON = "02-the-conversation"
SIMULATED = 12
CHROMIUM = 2
SAFE = min((p for p in all_paths(CONV) if ChatEngine(CONV, p).current.id == "end-safe"),
           key=len)
# The chat's choices along the safe ending, as a pupil clicks them: (text, feedback).
CLICKS = [(CONV.choice(c)[1].text[LANG], CONV.choice(c)[1].feedback[LANG]) for c in SAFE]


def metric(text: str, name: str, **labels) -> float:
    """One sample's value from Prometheus text (parsed with prometheus_client's parser)."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    raise KeyError(f"{name}{labels}")


def cookie_of(context) -> str | None:
    return next((c["value"] for c in context.cookies() if c["name"] == COOKIE), None)


def chat_button(page, text: str):
    return page.locator(".awareness-chat button").filter(has_text=text).first


def click_in_browser(page, n: int) -> None:
    """Click the chat's n-th choice on the safe path and wait for its feedback."""
    text, feedback = CLICKS[n]
    button = chat_button(page, text)
    button.wait_for(timeout=LOAD_TIMEOUT)
    button.click()
    page.locator(".awareness-chat").get_by_text(feedback).first.wait_for(timeout=30_000)


async def sim_join(replicas, pupil: SimPupil) -> None:
    """Page through the proxy, websocket with the routing cookie, first click's feedback."""
    status, html = await asyncio.to_thread(replicas.open_page, pupil, LANG, LESSON)
    assert status == 200 and pupil.kernel_id, (status, html[-300:])
    await replicas.connect(pupil)
    pupil.step = 0  # a new page: the chat from its start
    await sim_click(pupil)


async def sim_click(pupil: SimPupil) -> None:
    """Click the chat's next choice on the safe path; wait for its feedback."""
    text, feedback = CLICKS[pupil.step]
    await pupil.pupil.click(text, feedback[:40], timeout=30)
    pupil.clicks += 1
    pupil.step += 1


def test_healthz_goes_from_503_to_200_while_the_replicas_warm_up(replicas):
    answers = replicas.warmup
    assert answers and answers[0] == 503, answers[:5]
    assert answers[-1] == 200 and 200 not in answers[:answers.index(200)]
    # While no replica takes pupils, the proxy answers with the course's own wait page.
    status, headers, page = replicas.proxy_while_warming
    assert status == 503 and headers["Retry-After"] == "2"
    assert COURSE.t("busy_title", LANG) in page and "Traceback" not in page
    # Liveness is not readiness: a replica answers /livez all along.
    for name in replicas.names:
        assert status_of(replicas.replica_url(name) + "livez")[0] == 200


def test_a_class_through_the_proxy_is_spread_over_both_replicas(replicas, browser):
    """12 simulated pupils and 2 Chromium pupils open lesson 02 through the proxy and
    click: every page works, the routing cookie names a replica, both carry pupils."""
    sims = [SimPupil(pupil_address()) for _ in range(SIMULATED)]

    async def class_():
        await asyncio.gather(*(sim_join(replicas, p) for p in sims))

    with ThreadPoolExecutor(1) as pool:
        joined = pool.submit(replicas.loop.run, class_())
        tabs = []
        for _ in range(CHROMIUM):
            context = browser.new_context(locale="nb-NO")
            page = context.new_page()
            # At the chat's part: a lesson shows one part at a time.
            page.goto(f"{replicas.url}voila/render/{LANG}/{LESSON}.ipynb#chat")
            wait_ready(page)
            click_in_browser(page, 0)
            tabs.append((context, page))
        joined.result(120)
    replicas.state.update(sims=sims, tabs=tabs)
    assert all(p.clicks == 1 for p in sims)
    on = {name: [p for p in sims if p.replica == name] for name in replicas.names}
    browsers = [cookie_of(context) for context, _ in tabs]
    assert set(browsers) <= set(replicas.names) and None not in browsers
    assert all(on.values()), {k: len(v) for k, v in on.items()}
    # The cookie is the proxy's, its value a replica's name; the app sets none.
    cookies = tabs[0][0].cookies()
    assert [c["name"] for c in cookies] == [COOKIE], cookies
    assert cookies[0]["httpOnly"] and not cookies[0]["expires"] > 0
    # Each replica's own /metrics: its pupils' kernels, pages and clicks.
    for name in replicas.names:
        text = replicas.metrics(name)
        pupils = len(on[name]) + browsers.count(name)
        assert metric(text, "awareness_kernels", state="in_use") >= pupils, (name, pupils)
        assert metric(text, "awareness_kernels", state="pool") >= 1
        assert metric(text, "awareness_pages_served_total", page="lesson") >= pupils
        assert metric(text, "awareness_click_feedback_seconds_count") >= pupils
        assert metric(text, "awareness_ready") == 1
        assert metric(text, "awareness_refused_total", cap="client") == 0
    # The proxy does not hand out one replica's metrics as if they were the whole app's.
    assert fetch_full(replicas.url + "metrics", source="127.0.0.1")[0] == 404


def test_a_replica_killed_its_pupils_restart_on_the_other(replicas):
    """SIGKILL one replica (the first Chromium pupil's): new pupils are served by the
    other within 10 s, its pupils keep clicking, the dead one's pupils see the
    lost-connection message and their restart lands on the live one."""
    sims, tabs = replicas.state.get("sims"), replicas.state.get("tabs")
    if not sims:
        pytest.fail("needs the class of test_a_class_through_the_proxy_is_spread_...")
    context, page = tabs[0]
    dead = cookie_of(context)
    live = next(n for n in replicas.names if n != dead)
    on_dead = [p for p in sims if p.replica == dead]
    on_live = [p for p in sims if p.replica == live]
    pid = replicas.pid(dead)
    replicas.state["orphans"] = children(pid)  # its kernels, stopped at the end
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    replicas.state["killed"] = dead

    async def after_the_kill():
        newcomers = [SimPupil(pupil_address()) for _ in range(4)]
        await asyncio.gather(*(sim_join(replicas, p) for p in newcomers))
        served = time.monotonic() - killed
        # Pupils on the live replica go on with the chat.
        await asyncio.gather(*(sim_click(p) for p in on_live))
        # The dead replica's pupils: their connection is gone ...
        lost = []
        for p in on_dead:
            try:
                while True:
                    await p.pupil.read(timeout=10)
            except ConnectionError:
                lost.append(p)
        # ... and their restart (the same page again, with the old cookie) lands on the
        # live replica and works.
        for p in lost:
            p.pupil.ws.close()
            await sim_join(replicas, p)
        return newcomers, served, lost

    newcomers, served, lost = replicas.loop.run(after_the_kill())
    replicas.state["newcomers"] = newcomers
    assert served <= 10, f"new pupils waited {served:.1f} s"
    assert {p.replica for p in newcomers} == {live}
    assert lost == on_dead
    assert all(p.replica == live for p in sims)
    assert all(p.clicks == 2 for p in sims)  # survivors: 2 in a row; the dead one's: 1 + 1
    # The Chromium pupil of the dead replica sees the message, and its restart button
    # brings the lesson back from the live replica.
    lost_text = COURSE.t("kernel_lost", LANG)
    poll(page, f"document.body.innerText.includes({lost_text!r})", timeout=20_000)
    page.get_by_role("button", name=COURSE.t("restart_lesson", LANG)).click()
    wait_ready(page)
    click_in_browser(page, 0)
    assert cookie_of(context) == live
    # The other Chromium pupil: on the live replica it keeps clicking; on the dead one it
    # restarts as well.
    other_context, other = tabs[1]
    if cookie_of(other_context) == live:
        click_in_browser(other, 1)
    else:
        poll(other, f"document.body.innerText.includes({lost_text!r})", timeout=20_000)
        other.reload()
        wait_ready(other)
        click_in_browser(other, 0)
    replicas.state["live"] = live


def test_the_survivor_stops_gracefully_on_sigterm(replicas):
    """SIGTERM (what Kubernetes and `docker stop` send): no new pupils (/healthz 503,
    /livez 200), the pupils already there keep clicking (also a page served just before,
    whose websocket connects through the proxy after the replica stopped taking pupils),
    and it stops by itself once their pages are closed."""
    live = replicas.state.get("live")
    if not live:
        pytest.fail("needs test_a_replica_killed_its_pupils_restart_on_the_other")
    pupils = [*replicas.state["sims"], *replicas.state["newcomers"]]
    url = replicas.replica_url(live)
    late = SimPupil(pupil_address(), replica=live)
    status, _ = replicas.open_page(late, LANG, LESSON)
    assert status == 200
    pid = replicas.pid(live)
    os.kill(pid, signal.SIGTERM)
    time.sleep(1.5)  # HAProxy sees /healthz 503 (every 0.5 s, fall 2)
    status, body = status_of(url + "healthz")
    assert status == 503 and '"stopping"' in body
    assert status_of(url + "livez")[0] == 200
    # A new pupil: the replica itself refuses (the friendly page) ...
    refused, _, page = fetch_full(f"{url}voila/render/{LANG}/{LESSON}.ipynb")
    assert refused == 503 and COURSE.t("busy_title", LANG) in page

    async def still_working():
        await replicas.connect(late)  # through the proxy, to the replica in its cookie
        await sim_click(late)
        await asyncio.gather(*(sim_click(p) for p in pupils))
        for p in [*pupils, late]:
            p.pupil.ws.close()

    replicas.loop.run(still_working())
    for context, _ in replicas.state["tabs"]:
        context.close()
    closed = time.monotonic()
    while time.monotonic() - closed < 20:
        try:
            os.kill(pid, 0)
        except OSError:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the stopping replica did not stop within 20 s of its last page")
    text = (ROOT / "build" / "replicas" / f"{replicas.names[live]}.log").read_text()
    assert "no new pupils" in text and "no lesson page is open" in text
