"""The branch map SVG for teachers."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from awareness.content.course import load_course
from awareness.conversation.branchmap import branch_map_svg, main
from awareness.conversation.model import load_conversation

LANGS = load_course().languages
SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("scenario", ["jonas", "sara"])
@pytest.mark.parametrize("lang", LANGS)
def test_svg_parses_and_shows_every_decision_choice_and_ending(lang, scenario):
    conv = load_conversation(scenario=scenario)
    svg = branch_map_svg(conv, lang)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text.startswith(conv.ui.map_title[lang])
    boxes = {g.get("data-id"): g.get("class") for g in root.iter(f"{SVG}g")}
    for node in conv.decisions():
        assert boxes[node.id] == "box decision"
    for node in conv.endings():
        assert boxes[node.id] == "box ending"
    for node in conv.decisions():
        for choice in node.choices:
            assert boxes[choice.id] == f"box {choice.kind}"
    edges = [p for p in root.iter(f"{SVG}path") if p.get("class") == "edge"]
    choices = sum(len(n.choices) for n in conv.decisions())
    assert len(edges) == 2 * choices  # decision -> choice -> next decision or ending
    assert "http://" not in svg.replace("http://www.w3.org/2000/svg", "")


@pytest.mark.parametrize("scenario", ["jonas", "sara"])
def test_boxes_do_not_overlap(scenario):
    root = ET.fromstring(branch_map_svg(load_conversation(scenario=scenario), "nb"))
    rects = []
    for g in root.iter(f"{SVG}g"):
        r = g.find(f"{SVG}rect")
        x, y = float(r.get("x")), float(r.get("y"))
        rects.append((x, y, x + float(r.get("width")), y + float(r.get("height"))))
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_cli_writes_the_file(tmp_path, capsys):
    out = tmp_path / "map.svg"
    assert main([LANGS[0], str(out)]) == 0
    ET.parse(out)
    assert main([LANGS[0], str(tmp_path / "sara.svg"), "sara"]) == 0
    assert "Adrian" in (tmp_path / "sara.svg").read_text(encoding="utf-8")
    assert main([LANGS[0], str(tmp_path / "x.svg"), "nobody"]) == 1
    assert "file not found" in capsys.readouterr().err
    assert main(["xx", str(tmp_path / "other.svg")]) == 2
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err
