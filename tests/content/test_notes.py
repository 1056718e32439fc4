"""Facilitator notes: the script first, one shared safeguarding page, safe and in step.

Every lesson note opens with its 45-minute script (one entry per section of the lesson in
course.yaml, minutes that fill the class) and links the shared safeguarding page; the
help lists name the crisis lines and never present a tip as a police report; no note
tells anyone to screenshot or keep the pictures. Broken copies of the notes (in a
temporary content root) must give one-line problems ``file: id: field: message``; the
build must fill in the answer key from the quiz banks and write the shared pages.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from awareness import notes_build
from awareness.content.course import load_course
from awareness.content.notes import (
    HELP_MUST_NAME,
    HELP_SECTION,
    LESSON_SECTIONS,
    OVERVIEW_ID,
    OVERVIEW_SECTIONS,
    PAGE_SECTIONS,
    RUN_SHEET,
    SAFEGUARDING_PAGE,
    SHARED_PAGES,
    entry_minutes,
    note_links,
    note_path,
    parse_note,
    problems,
    read_note,
    required_sections,
    speaker_notes,
)
from awareness.content.problems import ContentError

ROOT = Path(__file__).resolve().parents[2]
COURSE = load_course(ROOT)
LANGS = COURSE.languages
LESSON_IDS = [lesson.id for lesson in COURSE.lessons]
NOTE_IDS = [OVERVIEW_ID, *LESSON_IDS]
FILE_IDS = [*NOTE_IDS, *SHARED_PAGES]

# The section plan comes from course.yaml (one place for every part of the course).
SECTIONS: dict[str, list[str]] = {lesson.id: lesson.section_ids for lesson in COURSE.lessons}

# What the tests look for in each language's words. A new course language fails every
# test below until its words are added here.
WORDS = {
    "nb": {
        "say": ("**Si:**", "**Gjør:**"),
        "class": "**Klassen:**",
        "no_view_forward": ("se aldri på", "videresend"),
        "negation": ("ikke", "aldri", "nei", "ingen"),
        # "screenshot the pictures", "keep / save / copy / forward the pictures"
        "keeps_pictures": (
            r"skjermbilde\w* av( [\w,]+){0,6}? (selve )?(nake\w*|bilde\w*|video\w*)",
            r"(ta vare på|lagre|beholde?|kopiere?|videresende?|sende videre)"
            r"( [\w,]+){0,3} (nakenbilde\w*|bilde\w*|video\w*)",
        ),
        "sentence": "Det skjer noe jeg trenger hjelp med.",
        "sentence_stem": "trenger hjelp med",
        # One word per concept (CONTENT_GUIDE), and no unsupported Norwegian case counts.
        "banned": ("varseltegn", "varselsignal", "vennelisten", "kripos", "11 saker"),
    },
    "nn": {
        "say": ("**Sei:**", "**Gjer:**"),
        "class": "**Klassen:**",
        "no_view_forward": ("sjå aldri på", "vidaresend"),
        "negation": ("ikkje", "aldri", "nei", "ingen"),
        # "screenshot the pictures", "keep / save / copy / forward the pictures"
        "keeps_pictures": (
            r"skjermbilete\w* av( [\w,]+){0,6}? (sjølve )?(nake\w*|bilet\w*|video\w*)",
            r"(ta vare på|lagre|behalde?|kopiere?|vidaresende?|sende vidare)"
            r"( [\w,]+){0,3} (nakenbilet\w*|bilet\w*|video\w*)",
        ),
        "sentence": "Det skjer noko eg treng hjelp med.",
        "sentence_stem": "treng hjelp med",
        # One word per concept (lessons/nn-ordliste.md), and no unsupported case counts.
        "banned": ("varselteikn", "varselsignal", "vennelisten", "kripos", "11 saker"),
    },
    "en": {
        "say": ("**Say:**", "**Do:**"),
        "class": "**Class:**",
        "no_view_forward": ("never view", "forward"),
        "negation": ("not", "never", "no", "don't"),
        "keeps_pictures": (
            r"screenshots? of( [\w,]+){0,6}? (the |your |any )?(nude |intimate )?"
            r"(pictures?|images?|videos?|photos?|nudes?)\b",
            r"\b(keep|save|store|copy|forward)\w*( [\w,]+){0,3} (the |your |any )?"
            r"(nude )?(pictures?|images?|videos?|nudes?)\b",
        ),
        "sentence": "Something is happening that I need help with.",
        "sentence_stem": "need help with",
        "banned": ("kripos", "11 cases", "warning signal"),
    },
}
PROBLEM_LINE = re.compile(r"^[^:\n]+: [^:\n]+: [^:\n]+: [^\n]+$")


def note(lang: str, file_id: str):
    return parse_note(note_path(ROOT, lang, file_id))


def words(lang: str) -> dict:
    assert lang in WORDS, f"add the words for {lang!r} to WORDS in this test"
    return WORDS[lang]


def sentences(markdown: str) -> list[str]:
    """The sentences of a note, one list item or paragraph at a time."""
    blocks = re.split(r"\n\s*\n|\n\s*(?=[-*] |\d+\. )", markdown)
    found = []
    for block in blocks:
        text = " ".join(block.split())
        found.extend(s for s in re.split(r"(?<=[.!?])[»\"”']?\s+(?=\S)", text) if s)
    return found


def has_word(sentence: str, choices) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", sentence.lower()) for w in choices)


def tells_to_keep_pictures(sentence: str, lang: str) -> bool:
    """A sentence that says to screenshot, keep, save, copy or forward the pictures
    without saying not to."""
    w = words(lang)
    text = sentence.lower()
    if not any(re.search(pattern, text) for pattern in w["keeps_pictures"]):
        return False
    return not has_word(text, w["negation"])


def all_text(lang: str, file_id: str) -> str:
    return note_path(ROOT, lang, file_id).read_text(encoding="utf-8")


# --- the real notes -------------------------------------------------------------------


def test_the_notes_check_is_clean():
    found = problems(ROOT, COURSE)
    assert found == [], "\n".join(map(str, found))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("file_id", FILE_IDS)
def test_every_note_and_page_exists_with_valid_front_matter(lang, file_id):
    path = note_path(ROOT, lang, file_id)
    assert path.is_file(), f"missing {path}"
    parsed = parse_note(path)
    assert parsed.lesson == file_id
    text = path.read_text(encoding="utf-8")
    if file_id in SHARED_PAGES:
        assert text.startswith(f"---\npage: {file_id}\n")
    else:
        assert text.startswith(f"---\nlesson: {file_id}\nminutes: ")
        assert isinstance(parsed.minutes, int)
    if file_id in LESSON_IDS:
        assert parsed.minutes == 45


@pytest.mark.parametrize("file_id", FILE_IDS)
def test_same_heading_ids_in_every_language(file_id):
    keys = {lang: [(s.level, s.key) for s in note(lang, file_id).sections] for lang in LANGS}
    first = keys[LANGS[0]]
    for lang in LANGS[1:]:
        assert keys[lang] == first, f"{file_id}: {lang} differs from {LANGS[0]}"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("file_id", FILE_IDS)
def test_required_sections_in_order(lang, file_id):
    top = note(lang, file_id).top_level
    required = list(required_sections(file_id))
    assert [s for s in top if s in required] == required
    if file_id == OVERVIEW_ID:
        assert required == list(OVERVIEW_SECTIONS)
    elif file_id in SHARED_PAGES:
        assert required == list(PAGE_SECTIONS[file_id])
    elif file_id in ("02-the-conversation", "04-prevention"):
        assert "branch-map" in top
    else:
        assert required == list(LESSON_SECTIONS)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_the_script_comes_first_with_one_entry_per_section_filling_45_minutes(lang, lesson_id):
    parsed = note(lang, lesson_id)
    assert parsed.top_level[0] == RUN_SHEET, "the script must be the first section"
    entries = parsed.children(RUN_SHEET)
    assert [e.id for e in entries] == SECTIONS[lesson_id]
    times = [entry_minutes(e) for e in entries]
    assert None not in times, [e.title for e in entries]
    assert times[0][0] == 0 and times[-1][1] == 45
    assert all(a[1] == b[0] for a, b in zip(times, times[1:], strict=False)), times
    assert sum(end - start for start, end in times) == 45
    w = words(lang)
    for entry in entries:
        assert entry.level == 3 and entry.text, f"{lesson_id}: {entry.key} is empty"
        assert w["class"] in entry.text, f"{lang}/{lesson_id}: {entry.key}: what does the class do?"
        assert any(label in entry.text for label in w["say"]), (
            f"{lang}/{lesson_id}: {entry.key}: what do you say or do?"
        )


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_the_script_minutes_are_the_same_in_every_language(lesson_id):
    times = {
        lang: [(e.id, entry_minutes(e)) for e in note(lang, lesson_id).children(RUN_SHEET)]
        for lang in LANGS
    }
    for lang in LANGS[1:]:
        assert times[lang] == times[LANGS[0]]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_discussion_is_tied_to_sections_and_every_question_has_an_answer(lang, lesson_id):
    for sub in note(lang, lesson_id).children("discussion"):
        assert sub.id in SECTIONS[lesson_id]
        lines = sub.text.splitlines()
        questions = [x for x in lines if x.startswith("**")]
        answers = [x for x in lines if x.startswith("*") and not x.startswith("**")]
        assert questions and len(questions) == len(answers), "each question has an answer"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("file_id", NOTE_IDS)
def test_every_note_links_the_safeguarding_page(lang, file_id):
    parsed = note(lang, file_id)
    cue = parsed.section("safeguarding").text
    assert any(target == SAFEGUARDING_PAGE for _, target, _ in note_links(cue))
    if file_id in LESSON_IDS:
        # The lesson's own cue, with the crisis net; the rest is on the shared page.
        for number in ("116 111", "116 123", "113"):
            assert number in cue, f"{lang}/{file_id}: the safeguarding cue lacks {number}"
        assert len(cue.split()) < 160, "a short cue: the shared page has the rest"
        assert not parsed.children("safeguarding"), "no copy of the shared page"
        assert not parsed.has("ground-rules") and not parsed.has("time-plan")


@pytest.mark.parametrize("lang", LANGS)
def test_the_safeguarding_page_covers_what_a_teacher_must_know(lang):
    page = note(lang, SAFEGUARDING_PAGE)
    disclosure = " ".join((page.section("disclosure").text + page.section("images").text).split())
    disclosure = disclosure.lower()
    for word in words(lang)["no_view_forward"]:
        assert word in disclosure, f"{lang}: the safeguarding page does not say {word!r}"
    assert "116 117" in page.section("self-harm").text
    assert "113" in page.section("self-harm").text
    assert "barnevern" in page.section("duty-to-inform").text.lower()
    assert "§ 311" in page.section("images").text
    links = note_links(page.section("images").text)
    assert ("03-if-it-happens", "proof-without-copies") in [(t, a) for _, t, a in links]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("file_id", [SAFEGUARDING_PAGE, "parents-letter", "parents-evening"])
def test_help_lists_name_the_crisis_net_and_the_police(lang, file_id):
    text = note(lang, file_id).section(HELP_SECTION).text
    for contact in (*HELP_MUST_NAME, "116 123", "113", "02800"):
        assert contact in text, f"{lang}/{file_id}: the help list lacks {contact!r}"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("file_id", FILE_IDS)
def test_a_tip_is_never_presented_as_a_police_report(lang, file_id):
    for sentence in sentences(all_text(lang, file_id)):
        if "tips.politiet.no" in sentence:
            assert has_word(sentence, words(lang)["negation"]), (
                f"{lang}/{file_id}: tips.politiet.no without saying it is not a report: "
                f"{sentence!r}"
            )


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("file_id", FILE_IDS)
def test_no_note_tells_anyone_to_screenshot_or_keep_the_pictures(lang, file_id):
    for sentence in sentences(all_text(lang, file_id)):
        assert not tells_to_keep_pictures(sentence, lang), f"{lang}/{file_id}: {sentence!r}"


def test_the_pictures_test_can_fail():
    assert tells_to_keep_pictures("Ta skjermbilder av bildene og videoene.", "nb")
    assert tells_to_keep_pictures("Ta vare på bildene som bevis.", "nb")
    assert tells_to_keep_pictures("Take screenshots of the chat, the pictures and videos.", "en")
    assert tells_to_keep_pictures("Keep the pictures as evidence.", "en")
    assert not tells_to_keep_pictures("Ta skjermbilder av samtalen – aldri av bildene.", "nb")
    assert not tells_to_keep_pictures("Do not keep the pictures.", "en")
    assert tells_to_keep_pictures("Ta skjermbilete av bileta og videoane.", "nn")
    assert tells_to_keep_pictures("Ta vare på biletet som bevis.", "nn")
    assert not tells_to_keep_pictures("Ta skjermbilete av samtalen – aldri av bileta.", "nn")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("file_id", FILE_IDS)
def test_one_sentence_for_telling_an_adult_and_one_word_per_concept(lang, file_id):
    w = words(lang)
    text = " ".join(all_text(lang, file_id).split())
    stems = [m.start() for m in re.finditer(re.escape(w["sentence_stem"]), text)]
    sentence_stem_at = w["sentence"].index(w["sentence_stem"])
    for start in stems:
        found = text[start - sentence_stem_at : start - sentence_stem_at + len(w["sentence"])]
        assert found == w["sentence"], f"{lang}/{file_id}: another wording: {found!r}"
    for word in w["banned"]:
        assert word not in text.lower(), f"{lang}/{file_id}: uses {word!r}"


@pytest.mark.parametrize("lang", LANGS)
def test_the_sentence_is_in_the_notes_of_every_lesson_that_teaches_telling_an_adult(lang):
    for lesson_id in ("03-if-it-happens", "05-summary"):
        assert words(lang)["sentence"] in note(lang, lesson_id).section(RUN_SHEET).text


def test_speaker_notes_join_the_script_entry_and_the_discussion():
    text = speaker_notes("03-if-it-happens", "en", "dont-pay", root=ROOT)
    parsed = note("en", "03-if-it-happens")
    assert text.startswith("**7–11 min**")
    assert parsed.section("run-sheet/dont-pay").text in text
    assert parsed.section("discussion/dont-pay").text in text
    assert "{#" not in text
    only_script = speaker_notes("03-if-it-happens", "en", "removal", root=ROOT)
    assert only_script == "**24–28 min**\n\n" + parsed.section("run-sheet/removal").text


@pytest.mark.parametrize("lang", LANGS)
def test_first_section_speaker_notes_carry_the_safeguarding_cue_without_links(lang):
    parsed = note(lang, "03-if-it-happens")
    text = speaker_notes("03-if-it-happens", lang, "objectives", root=ROOT)
    assert parsed.section("run-sheet/objectives").text in text
    assert parsed.section("safeguarding").title in text
    assert "116 123" in text and "113" in text
    assert ".md" not in text, "links to other notes do not work in the slides"
    assert "116 123" not in speaker_notes("03-if-it-happens", lang, "dont-pay", root=ROOT)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_every_section_has_speaker_notes(lang, lesson_id):
    for section_id in SECTIONS[lesson_id]:
        assert speaker_notes(lesson_id, lang, section_id, root=ROOT).strip()


def test_speaker_notes_for_an_unknown_section_or_note_name_the_file():
    with pytest.raises(ContentError, match=r"01-what-is-sextortion\.md: .*no-such-section"):
        speaker_notes("01-what-is-sextortion", "nb", "no-such-section", root=ROOT)
    with pytest.raises(ContentError, match=r"facilitator_notes/xx/01-what-is-sextortion\.md"):
        speaker_notes("01-what-is-sextortion", "xx", "objectives", root=ROOT)


# --- broken copies ----------------------------------------------------------------------


@pytest.fixture
def copy_root(tmp_path, monkeypatch):
    """A copy of course.yaml and the notes; returns (root, function to edit a note)."""
    shutil.copy(ROOT / "course.yaml", tmp_path / "course.yaml")
    shutil.copytree(ROOT / "facilitator_notes", tmp_path / "facilitator_notes")
    monkeypatch.setenv("AWARENESS_ROOT", str(tmp_path))

    def edit(lang: str, file_id: str, old: str, new: str, count: int = 1) -> Path:
        path = note_path(tmp_path, lang, file_id)
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")
        return path

    return tmp_path, edit


def one_line_problems(root: Path) -> list[str]:
    lines = [str(p) for p in problems(root, load_course(root))]
    for line in lines:
        assert PROBLEM_LINE.match(line), f"not a one-line problem: {line!r}"
    return lines


def test_copy_is_clean(copy_root):
    root, _ = copy_root
    assert one_line_problems(root) == []


def test_missing_front_matter(copy_root):
    root, edit = copy_root
    front = "---\nlesson: 01-what-is-sextortion\nminutes: 45\n---\n"
    edit("nb", "01-what-is-sextortion", front, "")
    lines = one_line_problems(root)
    assert lines == [
        "facilitator_notes/nb/01-what-is-sextortion.md: 01-what-is-sextortion: -: "
        "no front matter: start the file with '---', 'lesson: <id>', 'minutes: <n>', '---'"
    ]


def test_wrong_lesson_id(copy_root):
    root, edit = copy_root
    edit("en", "04-prevention", "lesson: 04-prevention", "lesson: 03-if-it-happens")
    lines = one_line_problems(root)
    assert lines == [
        "facilitator_notes/en/04-prevention.md: 04-prevention: lesson: the front matter says "
        "'03-if-it-happens' but the file is 04-prevention.md"
    ]


def test_minutes_not_a_number(copy_root):
    root, edit = copy_root
    edit("nb", "02-the-conversation", "minutes: 45", "minutes: førtifem")
    lines = one_line_problems(root)
    assert len(lines) == 1
    assert lines[0].startswith("facilitator_notes/nb/02-the-conversation.md: 02-the-conversation: ")
    assert ": minutes: must be a whole number" in lines[0]


def test_minutes_not_whole(copy_root):
    root, edit = copy_root
    edit("en", "05-summary", "minutes: 45", "minutes: 45.5")
    assert [line.split(": ")[2] for line in one_line_problems(root)] == ["minutes"]


def test_shared_page_front_matter(copy_root):
    root, edit = copy_root
    edit("en", "parents-letter", "page: parents-letter", "page: parents-evening")
    edit("nb", "safeguarding", "page: safeguarding", "lesson: 01-what-is-sextortion")
    lines = one_line_problems(root)
    assert (
        "facilitator_notes/en/parents-letter.md: parents-letter: page: the front matter says "
        "'parents-evening' but the file is parents-letter.md"
    ) in lines
    assert any(
        line.startswith("facilitator_notes/nb/safeguarding.md: safeguarding: lesson: ")
        for line in lines
    )


def test_missing_required_section(copy_root):
    root, edit = copy_root
    heading = "## Common misconceptions {#misconceptions}"
    edit("en", "03-if-it-happens", heading, "## Myths {#myths}")
    lines = one_line_problems(root)
    assert (
        "facilitator_notes/en/03-if-it-happens.md: 03-if-it-happens: misconceptions: "
        "required section is missing"
    ) in lines
    # ... and the languages no longer agree.
    assert any(": myths: not in the 'nb' note" in line for line in lines)


def test_the_script_must_come_first(copy_root):
    root, _ = copy_root
    path = note_path(root, "en", "01-what-is-sextortion")
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("## The 45-minute script {#run-sheet}", 1)
    script, tail = rest.split("## Safeguarding in this class {#safeguarding}", 1)
    path.write_text(
        head + "## Safeguarding in this class {#safeguarding}" + tail
        + "\n## The 45-minute script {#run-sheet}" + script
    )  # fmt: skip
    lines = one_line_problems(root)
    prefix = "facilitator_notes/en/01-what-is-sextortion.md: 01-what-is-sextortion: "
    assert prefix + "run-sheet: the script must come first, before 'safeguarding'" in lines
    assert any(": -: sections out of order: expected run-sheet → safeguarding" in x for x in lines)


def test_heading_without_id(copy_root):
    root, edit = copy_root
    edit("nb", "05-summary", "## Vanlige misforståelser {#misconceptions}", "## Myter")
    lines = one_line_problems(root)
    assert any("heading 'Myter' has no id" in line for line in lines)
    assert any(": misconceptions: required section is missing" in line for line in lines)


def test_language_differs(copy_root):
    root, edit = copy_root
    edit("en", "01-what-is-sextortion", "{#who-it-hits}", "{#who}")
    lines = one_line_problems(root)
    assert (
        "facilitator_notes/en/01-what-is-sextortion.md: 01-what-is-sextortion: "
        "run-sheet/who-it-hits: missing: the 'nb' note has it"
    ) in lines
    assert any(": run-sheet/who: not in the 'nb' note" in line for line in lines)


def test_minutes_must_follow_on_and_fill_the_class(copy_root):
    root, edit = copy_root
    edit("en", "02-the-conversation", "### 5–10 min · How it unfolds",
         "### 6–10 min · How it unfolds")  # fmt: skip
    edit("nb", "05-summary", "### 24–45 min · Les mer", "### 24–40 min · Les mer")
    lines = one_line_problems(root)
    assert lines == [
        "facilitator_notes/nb/05-summary.md: 05-summary: run-sheet: "
        "the entries add up to 40 minutes, not the 45 of the front matter",
        "facilitator_notes/en/02-the-conversation.md: 02-the-conversation: "
        "run-sheet/how-it-unfolds: starts at minute 6, but the entry before ends at 5",
        "facilitator_notes/en/02-the-conversation.md: 02-the-conversation: run-sheet: "
        "the entries add up to 44 minutes, not the 45 of the front matter",
        "facilitator_notes/en/02-the-conversation.md: 02-the-conversation: "
        "run-sheet/how-it-unfolds: minutes 6–10, but the 'nb' note says 5–10",
        *(
            f"facilitator_notes/{lang}/05-summary.md: 05-summary: run-sheet/read-more: "
            "minutes 24–45, but the 'nb' note says 24–40"
            for lang in LANGS
            if lang != "nb"
        ),
    ]


def test_an_entry_without_minutes(copy_root):
    root, edit = copy_root
    edit("en", "04-prevention", "### 4–8 min · Hide your friend list", "### Hide your friend list")
    lines = one_line_problems(root)
    assert (
        "facilitator_notes/en/04-prevention.md: 04-prevention: run-sheet/friend-lists: the title "
        "must start with its minutes, like '<from>–<to> min · Hide your friend list'"
    ) in lines


def test_the_script_follows_the_sections_of_course_yaml(copy_root):
    root, _ = copy_root
    path = root / "course.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    summary = next(x for x in data["lessons"] if x["id"] == "05-summary")
    new_title = {lang: f"New ({lang})" for lang in LANGS}
    summary["sections"].insert(2, {"id": "new-one", "title": new_title})
    summary["sections"] = [s for s in summary["sections"] if s["id"] != "read-more"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    lines = [x for x in one_line_problems(root) if x.startswith("facilitator_notes/nb/")]
    prefix = "facilitator_notes/nb/05-summary.md: 05-summary: "
    assert lines == [
        prefix + "run-sheet/new-one: the script has no entry '### <from>–<to> min · … "
        "{#new-one}' for this section of course.yaml lesson 05-summary",
        prefix + "run-sheet/read-more: course.yaml lesson 05-summary has no such section",
        prefix + "discussion/read-more: course.yaml lesson 05-summary has no section "
        "'read-more' to tie this to",
    ]


def test_the_script_is_one_page(copy_root):
    root, edit = copy_root
    long_text = "- **Say:** " + "Many words here. " * 120 + "\n"
    edit("en", "05-summary", "- **Class:** Hears the ground rules and the goals.\n",
         "- **Class:** Hears the ground rules and the goals.\n" + long_text)  # fmt: skip
    lines = one_line_problems(root)
    assert len(lines) == 1 and ": 05-summary: run-sheet: the script has " in lines[0]
    assert "keep it to one page" in lines[0]


def test_a_lesson_without_the_safeguarding_link_or_crisis_lines(copy_root):
    root, edit = copy_root
    edit("nb", "04-prevention", "[fellessiden\nom ivaretakelse](safeguarding.md)", "fellessiden")
    edit("nb", "04-prevention", "Mental Helse\n(116 123)", "Mental Helse")
    lines = one_line_problems(root)
    prefix = "facilitator_notes/nb/04-prevention.md: 04-prevention: safeguarding: "
    assert lines == [
        prefix + "does not name '116 123'",
        prefix + "does not link the shared page: add [...](safeguarding.md)",
    ]


def test_a_help_list_without_the_crisis_line(copy_root):
    root, edit = copy_root
    edit("en", "parents-letter", "116 123", "116 000")
    lines = one_line_problems(root)
    assert lines == [
        "facilitator_notes/en/parents-letter.md: parents-letter: help: does not list '116 123'"
    ]


def test_broken_links_between_notes(copy_root):
    root, edit = copy_root
    edit("en", "02-the-conversation", "(safeguarding.md#help)", "(safeguarding.md#hepl)")
    edit("nb", "00-overview", "(parents-letter.md)", "(foreldrebrev.md)")
    lines = one_line_problems(root)
    assert (
        "facilitator_notes/en/02-the-conversation.md: 02-the-conversation: prepare: the link "
        "[help list] points at #hepl, which safeguarding.md has no heading for"
    ) in lines
    assert (
        "facilitator_notes/nb/00-overview.md: 00-overview: how-to-run/notes: the link "
        "[brevet til foresatte] points at foreldrebrev.md, which does not exist"
    ) in lines


def test_missing_note_missing_page_and_unknown_note(copy_root):
    root, _ = copy_root
    note_path(root, "en", "02-the-conversation").unlink()
    note_path(root, "nb", "parents-evening").unlink()
    shutil.copy(note_path(root, "en", "05-summary"), root / "facilitator_notes/en/06-extra.md")
    lines = one_line_problems(root)
    assert (
        "facilitator_notes/en/02-the-conversation.md: 02-the-conversation: -: "
        "no facilitator note for language 'en'"
    ) in lines
    assert (
        "facilitator_notes/nb/parents-evening.md: parents-evening: -: "
        "no shared page for language 'nb'"
    ) in lines
    extra = "facilitator_notes/en/06-extra.md: 06-extra: lesson:"
    assert any(line.startswith(extra) for line in lines)


def test_answer_typed_by_hand(copy_root):
    root, edit = copy_root
    edit("en", "01-what-is-sextortion", "Do not type answers by hand.*",
         "Do not type answers by hand.*\n\n1. B")  # fmt: skip
    assert one_line_problems(root) == [
        "facilitator_notes/en/01-what-is-sextortion.md: 01-what-is-sextortion: answer-key: "
        "write one line only: the build inserts the key from the quiz bank"
    ]


def test_read_note_never_raises_on_a_bad_file(tmp_path):
    path = tmp_path / "01-what-is-sextortion.md"
    path.write_bytes(b"---\nlesson: [\n---\n# x {#title}\n")
    parsed, found = read_note(path)
    assert parsed is None and len(found) == 1 and "not valid YAML" in found[0].message
    path.write_bytes(b"\xff\xfe")
    assert "UTF-8" in read_note(path)[1][0].message
    with pytest.raises(ContentError):
        parse_note(tmp_path / "missing.md")


# --- the build ------------------------------------------------------------------------


def test_build_writes_every_note_and_page(tmp_path):
    out = tmp_path / "notes"
    result = notes_build.build_notes(root=ROOT, out=out)
    for lang in LANGS:
        for file_id in FILE_IDS:
            md = (out / lang / f"{file_id}.md").read_text(encoding="utf-8")
            html_text = (out / lang / f"{file_id}.html").read_text(encoding="utf-8")
            assert md.startswith("---\n")
            assert f'<html lang="{lang}">' in html_text
            assert "{#" not in html_text
            assert not re.search(r"(src|href)=\"(https?:)?//", html_text), "external resource"
            assert not re.search(r'href="[a-z0-9-]+\.md', html_text), "a link to a .md file"
        for file_id in NOTE_IDS:
            html_text = (out / lang / f"{file_id}.html").read_text(encoding="utf-8")
            assert '<h2 id="safeguarding">' in html_text
            assert 'href="safeguarding.html' in html_text
        for lesson_id in LESSON_IDS:
            md = (out / lang / f"{lesson_id}.md").read_text(encoding="utf-8")
            key = md.split("{#answer-key}", 1)[1].split("\n## ", 1)[0]
            # The quiz banks and their renderer exist: the key is generated, not a placeholder.
            assert "awareness:placeholder answer-key" not in key, key
            assert "make notes" not in key
            assert key.count("\n") > 3
        md = (out / lang / "02-the-conversation.md").read_text(encoding="utf-8")
        branch = md.split("{#branch-map}", 1)[1].split("\n## ", 1)[0]
        if (out / lang / "02-branch-map.svg").exists():
            assert "](02-branch-map.svg)" in branch
            assert "<svg" in (out / lang / "02-branch-map.svg").read_text(encoding="utf-8")
        else:
            # awareness.conversation.branchmap is not there yet: a visible placeholder.
            assert "<!-- awareness:placeholder branch-map: " in branch
    assert not list(out.rglob("*.tmp"))
    assert len(result.written) >= 2 * len(LANGS) * len(FILE_IDS)


def test_build_refuses_broken_notes_and_writes_nothing(copy_root, tmp_path, capsys):
    root, edit = copy_root
    edit("nb", "01-what-is-sextortion", "minutes: 45", "minutes: lots")
    out = tmp_path / "out"
    assert notes_build.main(["--root", str(root), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert "01-what-is-sextortion.md: 01-what-is-sextortion: minutes:" in captured.out
    assert "not built" in captured.err
    assert not out.exists()


def test_build_placeholder_when_no_quiz_bank(copy_root, tmp_path):
    root, _ = copy_root  # a copy without quizzes/ and lessons/
    out = tmp_path / "out"
    result = notes_build.build_notes(root=root, out=out)
    md = (out / "en" / "01-what-is-sextortion.md").read_text(encoding="utf-8")
    assert "<!-- awareness:placeholder answer-key: no quiz bank quizzes/" in md
    assert "Do not type answers by hand" in md  # the note's own line stays
    assert any("answer-key" in line for line in result.placeholders)
    html_text = (out / "en" / "01-what-is-sextortion.html").read_text(encoding="utf-8")
    assert 'id="run-sheet--definition"' in html_text
    assert 'href="safeguarding.html#help"' in html_text
    assert "<table>" in (out / "en" / "00-overview.html").read_text(encoding="utf-8")
