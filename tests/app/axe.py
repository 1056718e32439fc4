"""axe-core (from the npm registry, node_modules/) injected into a page: WCAG 2.1 AA rules."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def run_axe(page) -> list[dict]:
    """All violations on the page (every impact), as axe reports them."""
    if not AXE.is_file():
        raise AssertionError(f"axe-core is missing at {AXE}: run `make test` (it runs npm ci)")
    # evaluate() is not subject to the page's Content-Security-Policy; a script tag would be.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate(
        "tags => axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return result["violations"]


def serious(violations: list[dict]) -> list[str]:
    """One line per serious or critical violation, with the first offending element."""
    return [
        f"{v['impact']}: {v['id']}: {v['help']} -> {v['nodes'][0]['target'] if v['nodes'] else ''}"
        for v in violations
        if v.get("impact") in ("serious", "critical")
    ]


# Every page's counts, for the report at the end of the test run (tests/conftest.py).
REPORT: dict[str, dict[str, int]] = {}


def counts(violations: list[dict], page: str | None = None) -> dict[str, int]:
    """Offending elements per impact; recorded for the end-of-run report when page is named."""
    out: dict[str, int] = {}
    for v in violations:
        out[v.get("impact") or "none"] = out.get(v.get("impact") or "none", 0) + len(v["nodes"])
    if page is not None:
        REPORT[page] = out
    return out
