"""The quizzes teach today's sextortion safely (issue 12, CONTENT_GUIDE.md): every topic
beyond the source has a question; the right answers never reward copying the pictures; a
plain hello is never graded as a faresignal; blame and feelings items are sensitive;
every language says the same (the same numbers, the same ready sentence)."""

from __future__ import annotations

import re

import yaml

from awareness.content.coverage import Coverage
from awareness.quiz.model import all_questions
from tests.conftest import ROOT

# Topics beyond the source that issue 12 asks the quizzes to check.
REQUIRED_BEYOND = {
    "ai-nudes",
    "move-to-another-app",
    "first-hello",
    "proof-without-copies",
    "payment-and-more-demands",
    "how-to-report",
    "help-lines",
    "life-in-danger",
    "not-only-money",
}


def _coverage(languages) -> Coverage:
    data = yaml.safe_load((ROOT / "quizzes" / "coverage.yaml").read_text(encoding="utf-8"))
    return Coverage.model_validate(data, context={"languages": languages})


def _questions(banks):
    return {q.id: q for q in all_questions(banks)}


def test_every_new_topic_has_a_question(banks, languages):
    coverage = _coverage(languages)
    beyond = {topic.id: topic for topic in coverage.beyond}
    assert set(beyond) >= REQUIRED_BEYOND, REQUIRED_BEYOND - set(beyond)
    questions = _questions(banks)
    for topic in beyond.values():
        assert topic.questions, topic.id
        for qid in topic.questions:
            assert qid in questions, (topic.id, qid)


def _right_texts(q, lang):
    return " ".join(o.text[lang] for o in q.options if o.correct and o.text is not None)


def test_the_new_items_say_what_the_guide_says(banks):
    q = _questions(banks)
    ai = q["ai-fake-nude"]
    assert "KI" in ai.prompt["nb"] and "AI" in ai.prompt["en"]
    assert ai.option("same-steps").correct and not ai.option("fake-is-harmless").correct

    spot = q["spot-first-chat"]
    assert spot.option("move-app").correct and "Snap" in spot.option("move-app").text["en"]
    assert spot.option("mutual-friend").correct
    move = q["move-to-another-app"]
    assert move.option("say-no").correct and "faresignal" in move.option("say-no").text["nb"]

    paid = q["paid-once"]
    for word in ("gavekort", "Vipps", "krypto"):
        assert word in paid.prompt["nb"], word
    for word in ("gift cards", "Vipps", "crypto"):
        assert word in paid.prompt["en"], word
    assert paid.option("stop-now").correct and not paid.option("keep-paying").correct

    report = q["how-to-report"]
    local = report.option("local-police")
    assert local.correct and "02800" in local.text["nb"] and "02800" in local.text["en"]
    tip = report.option("tip")
    assert not tip.correct and "tips.politiet.no" in tip.text["nb"]
    assert "Et tips er ikke en anmeldelse" in tip.feedback["nb"]
    assert "A tip is not a police report" in tip.feedback["en"]

    heavy = q["too-heavy"]
    assert "116 123" in _right_texts(heavy, "nb") and "116 123" in _right_texts(heavy, "en")
    assert "113" in heavy.option("call-116-123").feedback["nb"]
    danger = q["friend-in-danger"]
    assert "113" in _right_texts(danger, "nb") and not danger.option("keep-the-secret").correct
    helplines = q["where-to-get-help"]
    assert helplines.option("mental-helse").correct and "116 123" in helplines.option(
        "mental-helse"
    ).text["nb"]

    more = q["more-pictures"]
    assert more.option("it-is-extortion").correct and not more.option("not-without-money").correct


# A right answer (or an order step) that tells a pupil to screenshot, save, keep, copy or
# forward the pictures or videos themselves. Mentions of the chat, the messages, the
# profile, the usernames, the demands or payment details are what pupils do screenshot.
_PICTURES = r"(nakenbild\w*|bilde\w*|video\w*|pictures?|photos?|videos?|nudes?)"
_KEEP = (
    r"(skjermbild\w*|ta vare på|lagre\w*|behold\w*|kopier\w*|send\w* videre|screenshot\w*|"
    r"save\w*|keep\w*|cop(y|ies)|forward\w*)"
)
KEEPS_PICTURES = re.compile(rf"{_KEEP}[^.;:–]*\b{_PICTURES}|{_PICTURES}[^.;:–]*\b{_KEEP}", re.I)


def test_no_right_answer_rewards_copying_the_pictures(banks, languages):
    assert KEEPS_PICTURES.search("Skjermbilder av chatten, bildene og videoene")  # the old one
    assert KEEPS_PICTURES.search("Screenshots of the chat, the pictures and the videos")
    assert not KEEPS_PICTURES.search("Meldingene med truslene og kravene")
    for q in all_questions(banks):
        advice = q.type == "order" and q.topic == "what-to-do"  # steps a pupil takes
        for option in q.options:
            if option.text is None or not (option.correct or advice):
                continue
            for lang in languages:
                assert not KEEPS_PICTURES.search(option.text[lang]), (q.id, option.id, lang)


def test_a_plain_hello_is_never_a_faresignal(banks):
    """The same rule as the chat: a friendly hello is not a faresignal by itself; the
    messages that follow can be. Every chat excerpt opens with an ordinary message."""
    spots = [q for q in all_questions(banks) if q.type == "spot"]
    assert spots
    for q in spots:
        first = next(o for o in q.options if o.sender == "them")
        assert not first.correct, q.id
        assert any(o.sender == "them" and not o.correct for o in q.options), q.id
    hello = _questions(banks)["spot-first-chat"].option("hello")
    assert "Not a warning sign in itself" in hello.feedback["en"]
    assert "Ikke et faresignal i seg selv" in hello.feedback["nb"]
    assert "Ikkje eit faresignal i seg sjølv" in hello.feedback["nn"]


def test_blame_and_feelings_items_are_sensitive(banks):
    q = _questions(banks)
    for qid in ("partly-his-fault", "settings-and-blame", "what-to-say", "help-a-friend",
                "too-heavy", "friend-in-danger"):
        assert q[qid].sensitive, qid
    blame = re.compile(r"\b(feil\w*|skyld\w*|skuld\w*|fault|blame)\b", re.I)
    for question in q.values():
        if any(blame.search(text) for text in question.prompt.root.values()):
            assert question.sensitive, question.id


def test_every_language_says_the_same_numbers(banks, languages):
    """Phone numbers, amounts, ages and figures appear in every language alike."""
    first, *others = languages
    for q in all_questions(banks):
        texts = [q.prompt] + [o.text for o in q.options if o.text] + [o.feedback for o in q.options]
        for text in texts:
            for lang in others:
                assert sorted(re.findall(r"\d+", text[first])) == sorted(
                    re.findall(r"\d+", text[lang])
                ), (q.id, text[first], text[lang])


def test_one_ready_sentence_and_the_guides_words(banks, languages):
    """The one sentence for telling an adult; the guide's bokmål words; no slips the guide
    lists (varselsignal, Norwegian case counts, the Kripos figure)."""
    q = _questions(banks)["what-to-say"]
    right = q.option("need-help")
    assert right.correct
    assert right.text["nb"] == "«Det skjer noe jeg trenger hjelp med.»"
    assert right.text["nn"] == "«Det skjer noko eg treng hjelp med.»"
    assert right.text["en"] == "“Something is happening that I need help with.”"
    banned = re.compile(r"varsel\w*|vennelisten|Kripos|\b2022\b", re.I)
    for question in all_questions(banks):
        texts = [question.prompt] + [o.text for o in question.options if o.text]
        texts += [o.feedback for o in question.options]
        for text in texts:
            for lang in languages:
                assert not banned.search(text[lang]), (question.id, text[lang])


def test_the_beyond_map_is_checked(tmp_path, course, monkeypatch):
    """A question or a section that does not exist, or a topic listed twice: one line each."""
    import shutil

    from awareness.content import coverage as coverage_check

    for name in ("course.yaml", "lessons", "quizzes"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, tmp_path / name)
        else:
            shutil.copy(src, tmp_path / name)
    monkeypatch.setenv("AWARENESS_ROOT", str(tmp_path))
    assert coverage_check.problems(tmp_path, course) == []
    path = tmp_path / "quizzes" / "coverage.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["beyond"][0]["questions"].append("no-such-question")
    data["beyond"][1]["lessons"].append("02-the-conversation#no-such-section")
    data["beyond"].append(dict(data["beyond"][2]))
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    lines = [str(p) for p in coverage_check.problems(tmp_path, course)]
    first, second, third = (data["beyond"][i]["id"] for i in range(3))
    assert (
        f"quizzes/coverage.yaml: {first}: questions: no quiz question 'no-such-question' in the "
        "banks"
    ) in lines
    assert (
        f"quizzes/coverage.yaml: {second}: lessons: no section 'no-such-section' in "
        "lessons/nb/02-the-conversation.ipynb"
    ) in lines
    assert f"quizzes/coverage.yaml: {third}: id: topic listed twice in beyond" in lines
    assert all("\n" not in line for line in lines)
