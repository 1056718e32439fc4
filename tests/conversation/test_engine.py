"""The chat engine: every path of every scenario, back, restart, flags, progress, summary."""

from __future__ import annotations

import pytest

from awareness.content.course import load_course
from awareness.conversation.engine import ChatEngine, all_paths, max_decisions
from awareness.conversation.model import load_conversation, scenario_ids

LANGS = load_course().languages
SCENARIOS = scenario_ids()
SAFE = ("c1-reply", "c1b-stay", "c2-go-along", "c3-send", "c4-break", "c5-get-help")
PAID = ("c1-reply", "c1b-move", "c2-go-along", "c3-send", "c4-pay", "c6-tell")
FAKE = ("c1-ask", "c1b-stay", "c2-slow-down", "c3-refuse", "c7-tell")


@pytest.fixture(scope="module")
def conv():
    return load_conversation()


def test_both_scenarios_are_there():
    assert SCENARIOS == ["jonas", "sara"]


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_path_reaches_an_ending_in_every_language(scenario, lang):
    """Walks every path: every ending, every choice and every message is reached."""
    conv = load_conversation(scenario=scenario)
    paths = all_paths(conv)
    assert len(paths) >= 10
    reached_endings, used_choices, seen_nodes = set(), set(), set()
    for path in paths:
        engine = ChatEngine(conv)
        for choice_id in path:
            assert not engine.finished
            assert choice_id in {c.id for c in engine.choices}
            for choice in engine.choices:
                assert choice.text[lang] and choice.feedback[lang]
            engine.choose(choice_id)
            assert engine.last_choice.id == choice_id
        assert engine.finished and engine.choices == []
        assert engine.current.ending.title[lang] and engine.current.ending.debrief[lang]
        for node in engine.transcript:
            assert node.text[lang]
            seen_nodes.add(node.id)
        progress = engine.progress()
        # the total is the chat's, the same on every path; the step the decisions made
        assert progress.total == max_decisions(conv, conv.start)
        assert progress.step == max(len(path), 1)
        summary = engine.summary()
        assert summary.ending is engine.current
        assert summary.not_your_fault[lang]
        reached_endings.add(engine.current.id)
        used_choices.update(path)
    assert reached_endings == {node.id for node in conv.endings()}
    assert used_choices == {c.id for node in conv.nodes for c in node.choices or []}
    assert seen_nodes == {node.id for node in conv.nodes}


def test_start_shows_the_first_message_and_its_choices(conv):
    engine = ChatEngine(conv)
    assert [n.id for n in engine.transcript] == ["d1-hello"]
    assert engine.current.id == "d1-hello"
    assert [c.id for c in engine.choices] == ["c1-reply", "c1-ask", "c1-ignore"]
    assert engine.path == () and engine.last_choice is None
    assert not engine.finished


def test_choose_runs_on_to_the_next_decision(conv):
    engine = ChatEngine(conv)
    engine.choose("c1-ask")
    assert [n.id for n in engine.transcript] == [
        "d1-hello",
        "j1-ask",
        "e1-mutual",
        "e1-game",
        "j1-game",
        "e1-same",
        "e1-flattery",
        "d1b-move",
    ]
    assert engine.entries[0].choice.id == "c1-ask"
    assert engine.entries[-1].choice is None


def test_choose_refuses_a_choice_not_on_screen(conv):
    engine = ChatEngine(conv)
    with pytest.raises(ValueError, match="not available"):
        engine.choose("c4-pay")
    engine = ChatEngine(conv, ("c1-ignore",))
    with pytest.raises(ValueError, match="ending"):
        engine.choose("c1-reply")


def test_the_picture_path_exists_and_ends_with_help(conv):
    engine = ChatEngine(conv, PAID)
    ids = [n.id for n in engine.transcript]
    assert "n-moved" in ids and "j3-sent" in ids and "e4-more" in ids
    assert engine.current.id == "end-paid"


def test_saying_no_is_not_the_end_of_it(conv):
    """He never sends anything, and is threatened with an AI-made fake: same steps."""
    engine = ChatEngine(conv, FAKE)
    ids = [n.id for n in engine.transcript]
    assert "j3-sent" not in ids and "j3-refuse" in ids
    assert {"e7-ai", "e7-friends", "d7-fake"} <= set(ids)
    assert engine.current.id == "end-fake"
    assert {"ai-fake", "friend-list", "threat"} <= {t for n in engine.transcript for t in n.tags}
    # paying for a fake brings new demands too
    paid = ChatEngine(conv, (*FAKE[:-1], "c7-pay", "c6-tell"))
    assert "e7-more" in [n.id for n in paid.transcript] and paid.current.id == "end-paid"


def test_the_early_ending_does_not_say_nothing_more_can_happen(conv):
    ending = conv.node("end-stopped")
    debrief = ending.ending.debrief
    assert "Det kom ingen trusler" not in ending.text["nb"]
    assert "ny profil" in debrief["nb"] and "falskt bilde" in debrief["nb"]
    assert "new profile" in debrief["en"] and "fake picture" in debrief["en"]


def test_a_new_profile_after_blocking(conv):
    engine = ChatEngine(conv, SAFE)
    published = conv.node("d5-published")
    assert published in engine.transcript
    assert conv.speaker(published.speaker).name["en"] == "user_4471"
    assert "new-profile" in published.tags


def test_back_undoes_one_choice(conv):
    engine = ChatEngine(conv, ("c1-reply", "c1b-stay"))
    before = [n.id for n in ChatEngine(conv, ("c1-reply",)).transcript]
    assert engine.back() is True
    assert engine.path == ("c1-reply",)
    assert [n.id for n in engine.transcript] == before
    assert engine.back() is True
    assert engine.back() is False
    assert engine.path == ()


def test_back_from_an_ending(conv):
    engine = ChatEngine(conv, SAFE)
    assert engine.finished
    engine.back()
    assert engine.current.id == "d5-published"
    assert not engine.finished


def test_back_drops_flags_on_messages_no_longer_shown(conv):
    engine = ChatEngine(conv, ("c1-reply",))
    engine.flag("d1-hello")
    engine.flag("e1-flattery")
    engine.back()
    assert engine.flags == {"d1-hello"}


def test_restart_clears_everything(conv):
    engine = ChatEngine(conv, SAFE)
    engine.flag("d1-hello")
    engine.restart()
    assert engine.path == () and engine.flags == frozenset()
    assert [n.id for n in engine.transcript] == ["d1-hello"]


def test_flag_only_the_other_sides_messages_on_screen(conv):
    engine = ChatEngine(conv, ("c1-reply",))
    assert engine.can_flag("d1-hello")
    assert not engine.can_flag("j1-reply")  # Jonas's own message
    assert not engine.can_flag("d4-demand")  # not shown yet
    with pytest.raises(ValueError):
        engine.flag("j1-reply")
    assert engine.toggle_flag("d1-hello") is True
    assert engine.is_flagged("d1-hello")
    assert engine.toggle_flag("d1-hello") is False
    engine.flag("e1-flattery")
    engine.unflag("e1-flattery")
    engine.unflag("e1-flattery")  # twice is fine
    assert engine.flags == frozenset()


def test_summary_signs_found_missed_and_wrong(conv):
    engine = ChatEngine(conv, SAFE)
    engine.flag("d1-hello")  # small talk: a wrong flag
    engine.flag("e1-mutual")  # mutual-friend, odd-language
    engine.flag("d4-demand")  # money-demand, pressure-time
    summary = engine.summary()
    found = {s.tag.id for s in summary.found}
    missed = {s.tag.id for s in summary.missed}
    assert found == {"mutual-friend", "odd-language", "money-demand", "pressure-time"}
    assert {"fast-sexual-turn", "fake-images", "threat", "published-claim", "new-profile"} <= missed
    assert not found & missed
    seen = {t for n in engine.transcript for t in n.tags}
    assert found | missed == seen
    assert summary.total == len(seen)
    assert [w.node.id for w in summary.wrong] == ["d1-hello"]
    assert summary.wrong[0].explanation == conv.node("d1-hello").ordinary
    assert not summary.perfect
    assert summary.ending.id == "end-safe"
    assert [s.id for s in summary.steps] == [
        "break-contact",
        "dont-pay",
        "screenshots",
        "report-profile",
        "report-police",
        "dont-delete",
        "removal",
        "tell-an-adult",
    ]
    one = next(s for s in summary.found if s.tag.id == "pressure-time")
    assert "d4-demand" in one.node_ids


def test_a_flag_on_a_message_with_a_sign_is_not_wrong(conv):
    engine = ChatEngine(conv, ("c1-reply", "c1b-stay", "c2-go-along", "c3-send"))
    assert engine.conversation.node("e3-recorded").tags
    engine.flag("e3-recorded")
    assert engine.summary().wrong == ()


def test_every_sign_and_no_wrong_flag_is_perfect(conv):
    engine = ChatEngine(conv, SAFE)
    for node in engine.transcript:
        if node.tags:
            engine.flag(node.id)
    summary = engine.summary()
    assert summary.perfect and summary.missed == () and summary.wrong == ()
    assert len(summary.found) == summary.total


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_flagging_everything_is_never_perfect(scenario):
    """On every path of every scenario, flagging every message gives wrong flags."""
    conv = load_conversation(scenario=scenario)
    for path in all_paths(conv):
        engine = ChatEngine(conv, path)
        for node in engine.transcript:
            if engine.can_flag(node.id):
                engine.flag(node.id)
        summary = engine.summary()
        assert summary.missed == ()
        assert summary.wrong, path
        assert not summary.perfect, path


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_path_has_ordinary_messages_to_judge(scenario):
    """The first message is small talk, and longer paths show at least three."""
    conv = load_conversation(scenario=scenario)
    for path in all_paths(conv):
        engine = ChatEngine(conv, path)
        ordinary = [n for n in engine.transcript if conv.side(n) == "left" and not n.tags]
        assert ordinary, path
        if len(path) >= 2:
            assert len(ordinary) >= 3, path


def test_summary_of_the_early_ending(conv):
    engine = ChatEngine(conv, ("c1-ignore",))
    summary = engine.summary()
    assert summary.ending.id == "end-stopped"
    assert summary.found == () and summary.missed == () and summary.wrong == ()
    engine.flag("d1-hello")
    assert [w.node.id for w in engine.summary().wrong] == ["d1-hello"]


def test_progress_counts_decision_points_of_a_total_that_never_changes(conv):
    engine = ChatEngine(conv)
    assert engine.progress().step == 1
    assert engine.progress().total == max_decisions(conv, conv.start) == 8
    engine.choose("c1-reply")
    assert (engine.progress().step, engine.progress().total) == (2, 8)
    engine.choose("c1b-stay")
    engine.choose("c2-go-along")
    engine.choose("c3-send")
    engine.choose("c4-break")
    assert (engine.progress().step, engine.progress().total) == (6, 8)
    engine.choose("c5-get-help")
    assert (engine.progress().step, engine.progress().total) == (6, 8)
    engine.back()
    assert (engine.progress().step, engine.progress().total) == (6, 8)


def test_sara_walks_to_each_of_her_endings():
    conv = load_conversation(scenario="sara")
    assert ChatEngine(conv, ("c1-no", "c2-tell")).current.id == "end-told"
    assert ChatEngine(conv, ("c1-joke", "c2-block")).current.id == "end-told"
    friend = ChatEngine(conv, ("c1-no", "c2-friend"))
    assert friend.current.id == "end-friend"
    assert "l1-help" in [n.id for n in friend.transcript]
    gave_in = ChatEngine(conv, ("c1-send", "c2-give-in"))
    assert gave_in.current.id == "end-gave-in"
    assert [n.id for n in gave_in.transcript].count("s1-sent") == 1
    # Lina's message is a friend's: flagging it is a wrong flag, explained kindly
    friend.flag("l1-help")
    wrong = friend.summary().wrong
    assert [w.node.id for w in wrong] == ["l1-help"] and wrong[0].explanation is not None


def test_engine_handles_a_cycle_with_an_exit(tmp_path):
    from pathlib import Path

    from awareness.conversation.model import conversation_problems

    base = (Path(__file__).parent / "minimal.yaml").read_text(encoding="utf-8")
    looped = base.replace("    next: end-b\n", "    next: a1\n", 1)
    looped = looped[: looped.index("  - id: end-b")]
    path = tmp_path / "loop.yaml"
    path.write_text(looped, encoding="utf-8")
    conv, found = conversation_problems(path, load_course().languages)
    assert found == []  # a1 -> b1 -> a1 is a loop, but "c-no" leads out of it
    assert all_paths(conv) == [("c-yes", "c-no"), ("c-no",)]
    engine = ChatEngine(conv)
    for _ in range(3):
        engine.choose("c-yes")
    # round the loop again and again: the step never goes past the total
    assert engine.progress().step == engine.progress().total == max_decisions(conv, conv.start)
    engine.choose("c-no")
    assert engine.current.id == "end-a"
    assert [n.id for n in engine.transcript].count("a1") == 4
