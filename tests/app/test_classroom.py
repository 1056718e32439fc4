"""Live class mode on the real app: simulated pupils (the widget protocol over the kernel
websocket, each from a loopback address of its own) in two classes at once, counted by
their kernels, read through the teacher API; and what pupils cannot reach."""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.request
from pathlib import Path
from urllib.error import HTTPError

import pytest

from awareness.conversation.engine import ChatEngine
from awareness.conversation.model import load_conversation
from tests.app.conftest import CLASS_KEY as KEY
from tests.app.conftest import git_status
from tests.app.pupils import Pupil, connect, kernel_id_of, kernels, message, run, widget_states
from tests.conftest import fetch, fetch_full, pupil_address

LANG = "nb"
LESSON = "02-the-conversation"
CONV = load_conversation(scenario="jonas")
DECISION = ChatEngine(CONV).current  # the first decision point
CHOICES = DECISION.choices
ITEM = f"jonas.{DECISION.id}"


def api(server, method: str, path: str, key: str | None = KEY) -> tuple[int, dict | str]:
    url = f"{server.url}teacher/api/{path}" + (f"?key={key}" if key else "")
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except HTTPError as exc:
        return exc.code, exc.read().decode()


def new_class(server) -> str:
    status, body = api(server, "POST", "classes")
    assert status == 200
    return body["code"]


def results(server, code: str) -> dict:
    status, body = api(server, "GET", f"classes/{code}/results")
    assert status == 200, body
    return body


def feedback(choice) -> str:
    return choice.feedback[LANG][:40]


async def pupil_session(base: str, query: str, moves: list, source: str | None = None):
    """One pupil page: open the lesson (with ``query``), then ``moves``: ("choose", i),
    ("back",) or ("flag",) (the newest warning sign on screen)."""
    source = source or pupil_address()
    loop = asyncio.get_running_loop()
    url = f"{base}voila/render/{LANG}/{LESSON}.ipynb{query}"
    status, _, html = await loop.run_in_executor(None, lambda: fetch_full(url, source))
    assert status == 200, status
    ws = await connect(base, kernel_id_of(html), source)
    pupil = Pupil(ws, await widget_states(ws))
    engine = ChatEngine(CONV)
    flagged = []
    for move in moves:
        if move[0] == "choose":
            choice = CHOICES[move[1]]
            await pupil.click(choice.text[LANG], feedback(choice))
            engine.choose(choice.id)
        elif move[0] == "back":
            await pupil.click("↩ " + CONV.ui.back[LANG], CHOICES[0].text[LANG])
            engine.back()
        else:
            signs = [n for n in engine.transcript if CONV.side(n) == "left" and n.tags]
            if not signs:
                continue  # none on this way through the chat
            node = signs[-1]
            await click_model(pupil, await flag_button(pupil, node), CONV.ui.flagged[LANG])
            flagged.append(f"jonas.{node.id}")
    await asyncio.sleep(0.3)
    ws.close()
    return flagged


async def flag_button(pupil: Pupil, node) -> str:
    """The model id of the flag button beside this message (a box of its bubble and
    its button), once the page has it."""
    while True:
        try:
            return find_flag(pupil, node)
        except KeyError:
            await pupil.read(30)


def find_flag(pupil: Pupil, node) -> str:
    words = re.findall(r"[A-Za-zæøåÆØÅ]{4,}", node.text[LANG])[:3]
    models = pupil.models
    for state in models.values():
        kids = [models.get(str(c).removeprefix("IPY_MODEL_"), {}) for c in
                state.get("children") or []]
        if len(kids) == 2 and kids[1].get("_view_name") == "ButtonView" and \
                all(w in kids[0].get("value", "") for w in words):
            return str(state["children"][1]).removeprefix("IPY_MODEL_")
    raise KeyError(node.id)


async def click_model(pupil: Pupil, model_id: str, until: str) -> None:
    pupil.ws.write_message(message("comm_msg", {
        "comm_id": model_id, "data": {"method": "custom", "content": {"event": "click"}}}))
    while until not in await pupil.read(30):
        pass


def wait_for(server, code: str, check, timeout: float = 15) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = results(server, code)
        if check(body) or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


def test_two_classes_at_once_count_exactly(class_server):
    before = git_status()
    a, b = new_class(class_server), new_class(class_server)
    assert a != b
    pupils = []  # (class code or None, moves, choice index it ends with)
    for i in range(30):
        code = a if i < 16 else b if i < 29 else None
        final = i % 3
        if i % 4 == 0:  # changes its answer: another choice, back, then the final one
            # (not the choice that ends the chat: Back from an ending relabels no button)
            other = 1 if final == 0 else 0
            moves = [("choose", other), ("back",), ("choose", final)]
        else:
            moves = [("choose", final), ("flag",)]
        pupils.append((code, moves, final))

    async def everyone():
        return await asyncio.gather(*(
            pupil_session(class_server.url,
                          f"?class={code}&tab=tab{i:04d}abcdef" if code else "", moves)
            for i, (code, moves, _) in enumerate(pupils)
        ))

    flagged = run(everyone())
    for code in (a, b):
        mine = [(p, f) for p, f in zip(pupils, flagged, strict=True) if p[0] == code]
        chat = {}
        for (_, _, final), _ in mine:
            chat[CHOICES[final].id] = chat.get(CHOICES[final].id, 0) + 1
        signs = {}
        for _, found in mine:
            for sign in found:
                signs[sign] = signs.get(sign, 0) + 1
        signs = {k: v for k, v in signs.items() if v >= 3}
        assert signs  # enough pupils flag the same sign for it to be shown
        body = wait_for(class_server, code,
                        lambda r, chat=chat, signs=signs: r["chat"].get(ITEM) == chat
                        and r["signs"] == signs)
        assert body["students"] == len(mine)
        assert body["chat"] == {ITEM: chat}, (code, body)  # changed answers counted once
        assert body["signs"] == signs, body
        assert sum(body["chat"][ITEM].values()) == len(mine)  # the pupil without a code: nowhere
    # Results hold counts only: no kernel id, address, tab token or time.
    text = json.dumps(results(class_server, a))
    assert not re.search(r"127\.0\.|tab0|[0-9a-f]{8}-[0-9a-f]{4}|\d{4}-\d\d-\d\d", text)
    for code in (a, b):
        assert api(class_server, "POST", f"classes/{code}/end")[0] == 200
        assert api(class_server, "GET", f"classes/{code}/results")[0] == 404
    assert git_status() == before  # nothing written into the working tree


def test_a_reloaded_page_replaces_its_answers_and_small_counts_stay_hidden(class_server):
    code = new_class(class_server)
    query = f"?class={code}&tab=reloadedtab0001"
    run(pupil_session(class_server.url, query, [("choose", 0)]))
    # The same tab opens the lesson again (a new kernel) and chooses otherwise.
    run(pupil_session(class_server.url, query, [("choose", 1)]))
    run(pupil_session(class_server.url, f"?class={code}&tab=secondtab00001", [("choose", 1)]))
    body = wait_for(class_server, code, lambda r: r["version"] >= 5)
    assert body["students"] == 2
    assert body["chat"] == {}  # two pupils answered: fewer than three, nothing shown
    run(pupil_session(class_server.url, f"?class={code}&tab=thirdtab000001", [("choose", 2)]))
    body = wait_for(class_server, code, lambda r: bool(r["chat"]))
    assert body["chat"] == {ITEM: {CHOICES[1].id: 2, CHOICES[2].id: 1}}
    # A new round starts from zero; the class ends and is gone.
    assert api(class_server, "POST", f"classes/{code}/round")[0] == 200
    assert results(class_server, code)["chat"] == {} and results(class_server, code)["round"] == 2
    assert api(class_server, "DELETE", f"classes/{code}")[0] == 200
    assert api(class_server, "GET", f"classes/{code}/results")[0] == 404


def test_every_teacher_path_needs_the_key(class_server):
    code = new_class(class_server)
    for path in ("teacher", "teacher/", f"teacher/classes/{code}", "teacher/api/classes",
                 f"teacher/api/classes/{code}/results", f"teacher/api/classes/{code}/events",
                 "teacher/anything/else"):
        for key in ("", "?key=wrong", f"?key={KEY[:-1]}"):
            status, body = fetch(f"{class_server.url}{path}{key}")
            assert status == 403, (path, key, status)
            assert code not in body and "students" not in body
    assert api(class_server, "POST", "classes", key="wrong")[0] == 403
    assert api(class_server, "POST", f"classes/{code}/end", key=None)[0] == 403
    # The kernels' report endpoint takes nothing without the server's secret.
    request = urllib.request.Request(f"{class_server.url}classroom/report", method="POST",
                                     data=b'{"kernel": "x", "kind": "chat"}')
    with pytest.raises(HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
    # A lesson kernel has the report address and secret, never the teacher key.
    deadline = time.monotonic() + 60
    while not kernels(class_server.proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)  # the pools are filling
    pid = next(iter(kernels(class_server.proc.pid).values()))
    environ = Path(f"/proc/{pid}/environ").read_bytes()
    assert b"AWARENESS_CLASSROOM_SECRET=" in environ and b"AWARENESS_CLASSROOM_URL=" in environ
    assert b"TEACHER_KEY" not in environ and KEY.encode() not in environ
    status, page = fetch(f"{class_server.url}teacher/classes/{code}?key={KEY}")
    assert status == 200 and code in page and "<svg" in page
    assert api(class_server, "POST", f"classes/{code}/end")[0] == 200


def test_the_app_prints_the_teacher_page(class_server):
    assert f"Teacher page: {class_server.url}teacher?key={KEY}" in class_server.log_text()
    # On loopback only, the teacher is told how to let the pupils in.
    from awareness.app import LOOPBACK_ONLY

    assert LOOPBACK_ONLY in class_server.log_text()


def test_the_start_page_takes_a_code(class_server):
    code = new_class(class_server)
    status, page = fetch(f"{class_server.url}?class={code.lower()}")
    assert status == 200 and f'data-class="{code}"' in page and 'name="class"' in page
    status, page = fetch(f"{class_server.url}voila/render/nn/00-start.ipynb?class=XXXXX")
    assert status == 200 and "aw-no-class" in page and "data-class" not in page
    status, page = fetch(class_server.url)
    assert "aw-in-class" not in page and "aw-no-class" not in page
    assert api(class_server, "POST", f"classes/{code}/end")[0] == 200
