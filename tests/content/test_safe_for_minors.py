"""CONTENT_GUIDE "Safe for minors" and "Words", checked over every text a pupil can see.

- Proof without copies: no text tells a pupil to screenshot, save, keep, copy or forward
  the nude pictures or videos (they screenshot the chat, the profile, usernames, demands
  and payment details; the police can secure the images).
- The help box carries the crisis net (116 123, 113), the "you are not in trouble" line
  and the one sentence for telling an adult; tips.politiet.no is never a way to report.
- One word per concept in bokmål (faresignal, not varseltegn) and today's app words, not
  the Facebook words of the source.

The texts are read from the files (YAML and notebooks), so new scenario, quiz and
checklist files are covered as soon as they exist. Wrong quiz options and risky chat
choices are misconceptions shown to be judged; their text is left out, their feedback is
not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from awareness.content.course import load_course
from awareness.html_parts import footer, help_box, start_page

ROOT = Path(__file__).resolve().parents[2]
COURSE = load_course(ROOT)
LANGS = COURSE.languages

# A sentence that names an act of keeping (screenshot, save, keep, copy, forward) and the
# pictures themselves tells the pupil to keep them, unless it says not to.
KEEP = {
    "nb": r"skjermbild\w*|lagr\w*|ta vare på|behold\w*|kopi\w*|send\w* (dem |det )?videre|"
    r"videresend\w*",
    "nn": r"skjermbilet\w*|skjermbild\w*|lagr\w*|ta vare på|behald\w*|kopi\w*|"
    r"send\w* (dei |det )?vidare|vidaresend\w*",
    "en": r"screenshot\w*|save[sd]?|saving|keep\w*|cop(y|ies|ied)|forward\w*|stor(e|es|ed|ing)",
}
PICTURES = {
    "nb": r"nakenbild\w*|\bbild(e|et|er|ene)\b|\bvideo(en|er|ene)?\b|\bnudes?\b",
    "nn": r"nakenbilet\w*|\bbilet(e|et|a)\b|\bvideo(en|ar|ane)?\b|\bnudes?\b",
    "en": r"\b(nude|naked)\b|\bpictures?\b|\bimages?\b|\bphotos?\b|\bvideos?\b",
}
NOT = {
    "nb": r"\b(aldri|ikke|ingen|uten)\b",
    "nn": r"\b(aldri|ikkje|ingen|utan)\b",
    "en": r"\b(never|not|don't|no one|nobody|without)\b",
}
# The offender keeping what was sent is part of the story, not advice: "I've saved it",
# "the extortioner saves it", "the picture is saved".
OFFENDER = {
    "nb": r"\butpresser\w*|\bblir lagret|\bde lagrer|\bhun lagrer|\bjeg har lagret|\bjeg lagrer",
    "nn": r"\butpressar\w*|\bblir lagra|\bdei lagrar|\bho lagrar|\beg har lagra|\beg lagrar",
    "en": r"\bextortioner\w*|\bblackmailer\w*|\bis saved|\bgets saved|\bthey save|"
    r"\bshe saves|\bI('ve| have) saved|\bI save",
}
SENTENCE = re.compile(r"(?<=[.!?:»”\"])\s+|\n+")


def _leaves(node, path=()) -> Iterator[tuple[tuple, dict]]:
    """Every multilingual text ({nb: ..., en: ...}) in a YAML tree, with its path."""
    if isinstance(node, dict):
        if (
            node
            and set(node) <= {"nb", "nn", "en"}
            and all(isinstance(v, str) for v in node.values())
        ):
            yield path, node
            return
        for key, value in node.items():
            yield from _leaves(value, (*path, node, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, (*path, node, i))


def _is_not_advice(path: tuple, root: dict) -> bool:
    """The text of a wrong quiz option or a risky chat choice (a misconception shown to be
    judged), or a chat message from the other side (the offender speaking)."""
    if len(path) < 2:
        return False
    parent, key = path[-2], path[-1]
    if key not in ("text", "label"):
        return False
    if parent.get("correct") is False or parent.get("kind") == "risky":
        return True
    speakers = {s.get("id"): s.get("side") for s in root.get("speakers", []) or []}
    return speakers.get(parent.get("speaker")) == "left"


def yaml_texts() -> Iterator[tuple[str, str, str]]:
    """(where, lang, text) for every student-visible YAML text."""
    files = [ROOT / "course.yaml", *sorted((ROOT / "lessons").rglob("*.yaml"))]
    files += sorted((ROOT / "quizzes").glob("*.yaml"))
    for file in files:
        if file.name == "coverage.yaml":  # the teachers' map, not shown to pupils
            continue
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        for path, text in _leaves(data):
            if _is_not_advice(path, data):
                continue
            where = f"{file.relative_to(ROOT)}:{'/'.join(str(p) for p in path[1::2])}"
            for lang, value in text.items():
                yield where, lang, value


def notebook_texts() -> Iterator[tuple[str, str, str]]:
    for lang in LANGS:
        for nb in sorted((ROOT / "lessons" / lang).glob("*.ipynb")):
            cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
            for i, cell in enumerate(cells):
                if cell["cell_type"] == "markdown":
                    yield f"{nb.relative_to(ROOT)}#{i}", lang, "".join(cell["source"])


def all_texts() -> list[tuple[str, str, str]]:
    return [*yaml_texts(), *notebook_texts()]


def tells_to_keep(text: str, lang: str) -> list[str]:
    """Sentences that pair keeping with the pictures, with no "never/not" before the
    pictures are named and no offender doing the keeping."""
    found = []
    for sentence in SENTENCE.split(text):
        keep = re.search(KEEP[lang], sentence, re.IGNORECASE)
        pictures = re.search(PICTURES[lang], sentence, re.IGNORECASE)
        if not (keep and pictures) or re.search(OFFENDER[lang], sentence, re.IGNORECASE):
            continue
        negated = any(
            m.start() < pictures.start() for m in re.finditer(NOT[lang], sentence, re.IGNORECASE)
        )
        if not negated:
            found.append(sentence.strip())
    return found


def test_the_detector_catches_the_old_advice():
    """The checker itself: the wording the course used before is caught, the fix is not."""
    assert tells_to_keep("Skjermbilder av chatten, bildene og videoene", "nb")
    assert tells_to_keep("Take screenshots of the chat, the pictures and the videos.", "en")
    assert tells_to_keep("Keep the pictures safe, and show them to no one but the police", "en")
    assert not tells_to_keep("Ta skjermbilder av chatten – aldri av bildene.", "nb")
    assert not tells_to_keep("Never screenshot the nude pictures or videos.", "en")
    assert not tells_to_keep("Screenshot the chat, the profile and the demands.", "en")
    assert not tells_to_keep("Jeg har lagret bildet og tatt opp skjermen.", "nb")
    assert tells_to_keep("Ta skjermbilete av chatten og biletet.", "nn")
    assert tells_to_keep("Ta vare på bileta som bevis.", "nn")
    assert not tells_to_keep("Ta skjermbilete av chatten – aldri av bileta.", "nn")
    assert not tells_to_keep("Eg har lagra biletet og teke opp skjermen.", "nn")


def test_no_text_tells_a_pupil_to_keep_the_pictures():
    texts = all_texts()
    assert len(texts) > 500  # the walk found the content
    bad = [
        f"{where} [{lang}]: {sentence}"
        for where, lang, text in texts
        for sentence in tells_to_keep(text, lang)
    ]
    assert not bad, "tells a pupil to screenshot/keep the pictures:\n" + "\n".join(bad)


def test_tips_politiet_is_never_a_way_to_report():
    """tips.politiet.no takes tips; a crime is reported (anmeldt) to the local police."""
    bad = []
    for where, lang, text in all_texts():
        for sentence in SENTENCE.split(text):
            if "tips.politiet" in sentence and not re.search(
                NOT[lang] + "|for tips", sentence
            ):
                bad.append(f"{where} [{lang}]: {sentence.strip()}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("lang", LANGS)
def test_every_help_box_has_the_crisis_net_and_not_in_trouble(lang):
    ids = [s.id for s in COURSE.help]
    for needed in (
        "alarmtelefonen",
        "mental-helse",
        "nodtelefon-113",
        "politiet",
        "slettmeg",
        "kors-pa-halsen",
    ):
        assert needed in ids
    boxes = [help_box(lang), start_page(lang)] + [
        footer(lesson.id, lang) for lesson in COURSE.lessons
    ]
    for html in boxes:
        for number in ("116 111", "116 123", "113", "02800", "800 333 21"):
            assert f">{number}</a>" in html, number  # a tel: link
        assert COURSE.t("not_in_trouble", lang) in html
        assert COURSE.t("not_in_trouble_why", lang) in html
        assert COURSE.t("tell_adult", lang) in html


@pytest.mark.parametrize("lang", LANGS)
def test_one_sentence_for_telling_an_adult(lang):
    """Wherever the course quotes the sentence to say to an adult, it is the same one."""
    sentence = COURSE.t("tell_adult", lang).rstrip(".")
    starts = {"nb": "Det skjer noe", "nn": "Det skjer noko", "en": "Something is"}[lang]
    quoted = re.compile('[«“"](' + re.escape(starts) + '[^»”"]*)[»”"]')
    seen = 0
    for where, text_lang, text in all_texts():
        if text_lang != lang:
            continue
        for match in quoted.finditer(text):
            seen += 1
            assert match.group(1).rstrip(".") == sentence, f"{where}: {match.group(1)!r}"
    assert seen >= 2


# Patterns (lower case) for the forms the course does not use; the one it uses is named.
WORDS_NOT_USED = {
    "nb": [
        "varseltegn",  # faresignal
        "varselsignal",
        "tidslinj",  # the source's Facebook words
        "veggen din",
        "vennelistene",  # vennelista
        r"\bskylden\b",  # skylda
        r"\bbetalingsinfo(en)?\b",  # betalingsinformasjon(en)
        r"\bpolitikontor",  # politistasjon
        r"\bmeldt til politiet",  # anmeldt
        r"\bstory-en",  # storyen
        r"\bvenninnen\b",  # venninna
    ],
    "nn": [
        "varselteikn",  # faresignal
        "varselsignal",
        "tidslinj",  # the source's Facebook words
        "veggen din",
        "vennelistene",  # vennelista
        r"\bskyld",  # skulda
        r"\bbetalingsinfo(en)?\b",  # betalingsinformasjon(en)
        r"\bpolitikontor",  # politistasjon
        r"\bstory-en",  # storyen
        r"\bvenninnen\b",  # venninna
    ],
    "en": ["timeline", "your wall", r"\bblackmailers?\b"],  # extortioner
}


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang in WORDS_NOT_USED])
def test_one_word_per_concept(lang):
    bad = [
        f"{where}: {word}"
        for where, text_lang, text in all_texts()
        if text_lang == lang
        for word in WORDS_NOT_USED[lang]
        if re.search(word, text.lower())
    ]
    assert not bad, "\n".join(bad)
