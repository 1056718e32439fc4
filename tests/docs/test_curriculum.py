"""The curriculum pages for schools (docs/nb/laereplan.md, docs/en/curriculum.md).

Every LK20 code they write has the LK20 form (ABCnn-nn, as in NOR01-06) and appears in an
entry that either quotes the aim with a link to its curriculum on udir.no, or is marked as not
yet confirmed (with a udir.no link where a teacher can check). Every lesson id they name is
one of course.yaml's; both languages list the same entries for the same lessons; the README
links both pages; every relative link leads to a file. Cheap: reads text, no network.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from awareness.content.course import load_course
from awareness.content.notes import OVERVIEW_ID

ROOT = Path(__file__).resolve().parents[2]
COURSE = load_course(ROOT)
LESSON_IDS = {lesson.id for lesson in COURSE.lessons}

# One page per language that has one, and the words that mark an aim as not yet confirmed.
DOCS = {"nb": Path("docs/nb/laereplan.md"), "en": Path("docs/en/curriculum.md")}
TO_CONFIRM = {"nb": "å bekrefte", "en": "to confirm"}

# LK20 curriculum codes: three letters, two digits, a hyphen, two digits (Udir's Grep: NOR01-06).
LK20_CODE = re.compile(r"[A-Z]{3}\d{2}-\d{2}")
# Anything that looks like a curriculum code (an LK06 code such as SAF1-03 too), so that a
# miswritten code is caught rather than ignored.
CODE_LIKE = re.compile(r"\b[A-Z]{2,4}\d{1,2}-\d{1,3}\b")
# An entry: a list item that starts with its code in bold, `- **SAF01-04** …`.
ENTRY = re.compile(r"-\s+\*\*([A-Z]{2,4}\d{1,2}-\d{1,3})\*\*")
QUOTE = re.compile(r"«([^»]+)»|“([^”]+)”")
# A quotation this long is curriculum text (shorter ones are headings and names).
LONG_QUOTE = 40
# A lesson id, NN-slug. Write "45 minutes", not "45-minute": that reads as a lesson id.
LESSON_ID_LIKE = re.compile(r"\b(\d{2}-[a-z][a-z0-9]*(?:-[a-z0-9]+)*)")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def udir_link(code: str) -> re.Pattern[str]:
    return re.compile(rf"https?://(www\.)?udir\.no/lk20/{code.lower()}/")


def blocks(text: str) -> list[str]:
    """Paragraphs and list items, each as one line of text."""
    return [" ".join(b.split()) for b in re.split(r"\n\s*\n", text) if b.strip()]


def quotes(block: str) -> list[str]:
    return [a or b for a, b in QUOTE.findall(block)]


def entries(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), b) for b in blocks(text) if (m := ENTRY.match(b))]


def is_to_confirm(block: str, lang: str) -> bool:
    return TO_CONFIRM[lang] in block.lower()


def lesson_ids(text: str) -> list[str]:
    return LESSON_ID_LIKE.findall(text)


def problems(text: str, lang: str) -> list[str]:
    """Everything wrong with one curriculum page, one line each."""
    found = []
    for code in sorted(set(CODE_LIKE.findall(text))):
        if not LK20_CODE.fullmatch(code):
            found.append(f"{code}: not an LK20 code (ABCnn-nn)")
    listed = {code for code, _ in entries(text)}
    for code in sorted(set(CODE_LIKE.findall(text)) - listed):
        found.append(f"{code}: named, but has no entry of its own (- **{code}** …)")
    for code, block in entries(text):
        if not LK20_CODE.fullmatch(code):
            continue  # said above
        if not lesson_ids(block):
            found.append(f"{code}: entry names no lesson")
        if is_to_confirm(block, lang):
            if "udir.no/lk20/" not in block:
                found.append(f"{code}: to confirm, but no udir.no/lk20 page to check it on")
        else:
            if not any(len(q) >= LONG_QUOTE for q in quotes(block)):
                found.append(f"{code}: confirmed entry quotes no aim text")
            if not udir_link(code).search(block):
                found.append(f"{code}: confirmed entry has no link to udir.no/lk20/{code.lower()}/")
    for block in blocks(text):
        long_quotes = [q for q in quotes(block) if len(q) >= LONG_QUOTE]
        if long_quotes and "udir.no/" not in block and not is_to_confirm(block, lang):
            found.append(f"quoted without a udir.no link or the to-confirm mark: {long_quotes[0]}")
    for lesson in sorted(set(lesson_ids(text))):
        if lesson not in LESSON_IDS | {OVERVIEW_ID}:
            found.append(f"{lesson}: no such lesson in course.yaml")
    return found


def summary(text: str, lang: str) -> list[tuple[str, bool, tuple[str, ...]]]:
    """What each entry says, in a form both languages share: code, confirmed, lessons."""
    return sorted(
        (code, not is_to_confirm(block, lang), tuple(sorted(set(lesson_ids(block)))))
        for code, block in entries(text)
    )


def read(lang: str) -> str:
    return (ROOT / DOCS[lang]).read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", DOCS)
def test_page_exists_and_is_in_a_course_language(lang):
    assert lang in COURSE.languages
    assert (ROOT / DOCS[lang]).is_file(), f"{DOCS[lang]} is missing"
    assert entries(read(lang)), f"{DOCS[lang]} lists no competence aims"


@pytest.mark.parametrize("lang", DOCS)
def test_codes_quotes_and_lessons(lang):
    assert problems(read(lang), lang) == []


@pytest.mark.parametrize("lang", DOCS)
def test_relative_links_lead_to_files(lang):
    page = ROOT / DOCS[lang]
    for target in LINK.findall(read(lang)):
        if "://" in target or target.startswith("#"):
            continue
        path = (page.parent / target.split("#")[0]).resolve()
        assert path.is_file(), f"{DOCS[lang]}: {target} leads nowhere"


def test_languages_list_the_same_aims_for_the_same_lessons():
    first, *others = DOCS
    for lang in others:
        assert summary(read(lang), lang) == summary(read(first), first)


def test_confirmed_quotes_are_the_same_text_in_every_language():
    """The published wording is quoted as published, whatever the page's language."""
    texts = {lang: " ".join(read(lang).split()) for lang in DOCS}
    for lang in DOCS:
        for _, block in entries(read(lang)):
            if is_to_confirm(block, lang):
                continue
            for q in quotes(block):
                for other, text in texts.items():
                    assert q in text, f"{DOCS[other]} does not quote: {q}"


def test_readme_links_both_pages():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in DOCS.values():
        assert f"]({path.as_posix()})" in readme, f"README does not link {path}"


# The checks must catch what they are for.
GOOD = (
    "- **SAK01-01** «reflektere over egne digitale spor, utforske hvem som har tilgang til "
    "sporene» – [udir.no](https://www.udir.no/lk20/sak01-01/kompetansemaal-og-vurdering/kv48). "
    "Leksjoner: 04-prevention.\n"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD, []),
        (GOOD.replace("SAK01-01", "SAK1-01"), ["SAK1-01: not an LK20 code"]),
        (GOOD.replace("/lk20/sak01-01/", "/lk20/saf01-04/"), ["SAK01-01: confirmed entry has no"]),
        (GOOD.replace("«", "").replace("»", ""), ["SAK01-01: confirmed entry quotes no aim"]),
        (GOOD.replace("04-prevention", "06-privacy"), ["06-privacy: no such lesson"]),
        (GOOD.replace("04-prevention", "ingen"), ["SAK01-01: entry names no lesson"]),
        (GOOD + "\nSe også NAT01-04.\n", ["NAT01-04: named, but has no entry"]),
        (
            GOOD + "\n- **NAT01-04** «et mål vi bare har lest hos andre enn Udir, ord for ord». "
            "Å bekrefte. Leksjon: 01-what-is-sextortion.\n",
            ["NAT01-04: to confirm, but no udir.no/lk20 page"],
        ),
        (
            GOOD + "\n«et langt sitat som står uten kilde og uten merke i det hele tatt»\n",
            ["quoted without a udir.no link"],
        ),
    ],
)
def test_problems_catches_each_mistake(text, expected):
    found = problems(text, "nb")
    assert len(found) == len(expected), found
    for line, start in zip(found, expected, strict=True):
        assert line.startswith(start), found
