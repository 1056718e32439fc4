"""Shared fixtures for the quiz tests: the course's languages, the real banks, makers."""

from __future__ import annotations

import pytest

from awareness.content.course import load_course
from awareness.quiz.model import Bank, Question, load_banks, load_ui


@pytest.fixture(scope="session")
def course():
    return load_course()


@pytest.fixture(scope="session")
def languages(course):
    return list(course.languages)


@pytest.fixture(scope="session")
def banks():
    return load_banks()


@pytest.fixture(scope="session")
def ui():
    return load_ui()


def text(languages, value):
    """The same words in every course language (tests only)."""
    return {lang: f"{value} ({lang})" for lang in languages}


@pytest.fixture(scope="session")
def make_question(languages):
    """Build a validated question: options as (id, correct) pairs, or ids for `order`."""

    def make(qtype, options, qid="q1", topic="basics", revisit="01-what-is-sextortion#definition",
             prompt="Prompt", points=("1",)):
        opts = []
        for item in options:
            oid, correct = (item, None) if isinstance(item, str) else item
            opt = {"id": oid, "feedback": text(languages, f"Why {oid}")}
            if qtype != "true_false":
                opt["text"] = text(languages, f"Option {oid}")
            if correct is not None:
                opt["correct"] = correct
            if qtype == "spot":
                opt["sender"] = "them"
            opts.append(opt)
        data = {
            "id": qid,
            "type": qtype,
            "topic": topic,
            "points": list(points),
            "revisit": revisit,
            "prompt": text(languages, prompt),
            "options": opts,
        }
        if qtype == "spot":
            data["people"] = {"them": text(languages, "Emma"), "me": text(languages, "Jonas")}
        return Question.model_validate(data, context={"languages": languages})

    return make


@pytest.fixture(scope="session")
def make_bank(languages):
    def make(lesson, questions, final=None):
        data = {"lesson": lesson, "questions": [q.model_dump() for q in questions]}
        if final is not None:
            data["final"] = final
        return Bank.model_validate(data, context={"languages": languages})

    return make
