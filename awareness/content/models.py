"""The content models shared by every kind of content file.

``Text`` holds one string per course language. Which languages the course has is
configured once, in course.yaml's ``languages``; every loader passes them as the
validation context, so a missing or unknown translation is an error everywhere.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    ValidationInfo,
    field_validator,
    model_validator,
)

__all__ = [
    "Course",
    "HelpService",
    "LessonId",
    "LessonInfo",
    "SectionInfo",
    "Strict",
    "Text",
    "course_languages",
    "require_unique_ids",
]

LESSON_ID = r"^\d\d-[a-z0-9]+(-[a-z0-9]+)*$"
LessonId = Annotated[str, Field(pattern=LESSON_ID)]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+([-_][a-z0-9]+)*$")]
LANG_CODE = re.compile(r"^[a-z]{2,3}$")


class Strict(BaseModel):
    """Base for content models: unknown fields are errors, values are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def require_unique_ids(items: list, what: str) -> list:
    """Raise the one-line error for items (with an ``id``) that share an id."""
    ids = [item.id for item in items]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"duplicate {what} id {', '.join(dupes)}")
    return items


def course_languages(info: ValidationInfo) -> list[str] | None:
    ctx = info.context or {}
    return ctx.get("languages")


class Text(RootModel[dict[str, str]]):
    """A text in every course language: ``{nb: "...", en: "..."}``."""

    model_config = ConfigDict(strict=True, frozen=True)

    @field_validator("root")
    @classmethod
    def _every_language(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        languages = course_languages(info)
        problems = []
        for lang, text in value.items():
            if languages is not None and lang not in languages:
                problems.append(
                    f"unknown language {lang!r} (the course has: {', '.join(languages)})"
                )
            elif not text.strip():
                problems.append(f"empty text for {lang!r}")
        if languages is not None:
            missing = [lang for lang in languages if lang not in value]
            if missing:
                problems.append(f"missing translation for {', '.join(map(repr, missing))}")
        if problems:
            raise ValueError("; ".join(problems))
        return value

    def __getitem__(self, lang: str) -> str:
        return self.root[lang]

    def get(self, lang: str) -> str:
        return self.root[lang]


class SectionInfo(Strict):
    """A lesson section: the notebook cell that starts it, its run-sheet notes, its quiz
    pointers and its slides all use this id."""

    id: Slug
    title: Text


class LessonInfo(Strict):
    """One lesson: its id ties notebooks, quiz bank and facilitator notes together."""

    id: LessonId
    minutes: int = Field(ge=1, le=90)
    title: Text
    summary: Text
    sections: list[SectionInfo] = Field(min_length=2)

    @field_validator("sections")
    @classmethod
    def _unique_sections(cls, value: list[SectionInfo]) -> list[SectionInfo]:
        return require_unique_ids(value, "section")

    @property
    def section_ids(self) -> list[str]:
        return [s.id for s in self.sections]


class HelpService(Strict):
    """A place to get help, shown at the end of every lesson and in the teacher notes."""

    id: Slug
    name: Text
    contact: Text
    # Phone numbers (digits only) in `contact`; each becomes a tel: link where it is shown.
    phones: list[Annotated[str, Field(pattern=r"^[0-9]{3,12}$")]] = []
    url: str | None = Field(default=None, pattern=r"^https?://[^\s]+$")
    what: Text

    @model_validator(mode="after")
    def _phones_are_shown(self) -> HelpService:
        from awareness.html_parts import spaced_number

        for phone in self.phones:
            for lang, text in self.contact.root.items():
                if spaced_number(phone) not in text:
                    raise ValueError(
                        f"phone {phone} is not written as {spaced_number(phone)!r} "
                        f"in contact.{lang}"
                    )
        return self


class Course(Strict):
    """course.yaml: title, languages, lesson order, help services and UI words."""

    title: Text
    subtitle: Text
    source: Text
    languages: list[str] = Field(min_length=1)
    language_names: dict[str, str]
    lessons: list[LessonInfo] = Field(min_length=1)
    help: list[HelpService] = Field(min_length=1)
    ui: dict[str, Text]

    @field_validator("languages")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        bad = [code for code in value if not LANG_CODE.match(code)]
        if bad:
            raise ValueError(f"not a language code: {', '.join(bad)} (use e.g. nb, nn, en)")
        if len(set(value)) != len(value):
            raise ValueError("a language is listed twice")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Course:
        problems = []
        missing = [code for code in self.languages if code not in self.language_names]
        if missing:
            problems.append(f"language_names has no name for {', '.join(missing)}")
        ids = [lesson.id for lesson in self.lessons]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            problems.append(f"duplicate lesson id {', '.join(dupes)}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def lesson(self, lesson_id: str) -> LessonInfo:
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        raise KeyError(f"unknown lesson id {lesson_id!r}")

    def next_lesson(self, lesson_id: str) -> LessonInfo | None:
        ids = [lesson.id for lesson in self.lessons]
        i = ids.index(lesson_id)
        return self.lessons[i + 1] if i + 1 < len(self.lessons) else None

    def section_refs(self) -> list[str]:
        """Every lesson section as ``<lesson-id>#<section-id>``, in course order."""
        return [f"{lesson.id}#{s.id}" for lesson in self.lessons for s in lesson.sections]

    def section_title(self, ref: str, lang: str) -> str:
        """The title of a section ``<lesson-id>#<section-id>`` in a language."""
        lesson_id, _, section_id = ref.partition("#")
        for section in self.lesson(lesson_id).sections:
            if section.id == section_id:
                return section.title[lang]
        raise KeyError(f"unknown section {ref!r}")

    def t(self, key: str, lang: str) -> str:
        """A UI word in a language (buttons, headings)."""
        return self.ui[key][lang]
