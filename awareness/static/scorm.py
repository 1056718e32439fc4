"""SCORM 1.2 packages of the serverless copy: ``build/scorm/<lang>.zip``.

Each package holds the whole folder (every language, so a pupil can still change the
language) with ``imsmanifest.xml`` at the root: one SCO whose launch page is
``scorm-<lang>.html``. That page finds the LMS's API (the standard discovery up the
parent and opener windows), calls LMSInitialize, shows the language's start page in a
frame, and calls LMSFinish when it is closed; the last lesson's quiz, once done, sets
``cmi.core.lesson_status`` to ``completed`` (static.js). Without an LMS the pages work as
they do from the folder.

The manifest names the SCORM 1.2 schemas but the package does not carry their .xsd
files (nothing here is downloaded); LMSs such as itslearning import it without them.
"""

from __future__ import annotations

import zipfile
from html import escape
from pathlib import Path

from awareness.content.course import load_course

__all__ = ["MANIFEST", "manifest", "package", "package_all"]

MANIFEST = "imsmanifest.xml"


def manifest(lang: str, files: list[str]) -> str:
    """The package's imsmanifest.xml: one organisation, one item, one SCO."""
    course = load_course()
    title = escape(course.title[lang])
    launch = f"scorm-{lang}.html"
    listed = "\n".join(f'      <file href="{escape(f)}"/>' for f in files)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="awareness-{lang}" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd
    http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd
    http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="course-{lang}">
    <organization identifier="course-{lang}">
      <title>{title}</title>
      <item identifier="item-{lang}" identifierref="sco-{lang}" isvisible="true">
        <title>{title}</title>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="sco-{lang}" type="webcontent" adlcp:scormtype="sco" href="{launch}">
{listed}
    </resource>
  </resources>
</manifest>
"""


def package(folder: Path, lang: str, out: Path) -> Path:
    """One language's package from the built folder."""
    folder = Path(folder)
    course = load_course()
    files = sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not (p.name.startswith("scorm-") and p.parent == folder
                                and p.name != f"scorm-{lang}.html")
    )
    if f"scorm-{lang}.html" not in files or lang not in course.languages:
        raise ValueError(f"{folder} has no SCORM launch page for {lang!r}: build it first")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".zip.part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr(MANIFEST, manifest(lang, files))
        for name in files:
            zf.write(folder / name, name)
    partial.replace(out)
    return out


def package_all(folder: Path, out: Path) -> list[Path]:
    """Every language's package: ``out/<lang>.zip``."""
    return [package(folder, lang, Path(out) / f"{lang}.zip") for lang in load_course().languages]
