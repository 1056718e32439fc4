"""What the teacher page shows for each counted item, from the content (one source of
truth): chat decision points and their choices, warning signs, quiz questions and the
sensitive questions that are anonymous polls. The ids are the ones the widgets report."""

from __future__ import annotations

import functools

from awareness.classroom.model import chat_item

__all__ = ["items"]


def _short(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@functools.cache
def items(lang: str) -> dict:
    """{"chat": [...], "signs": [...], "quiz": [...], "polls": [...]}, each item a dict
    with ``id``, ``title`` and (chat, polls) ``options``: [(id, text)]."""
    from awareness.conversation.model import load_conversation, scenario_ids
    from awareness.quiz.model import load_banks, load_ui
    from awareness.quiz.render import option_label

    chat, signs, quiz, polls = [], [], [], []
    for scenario in scenario_ids():
        conv = load_conversation(scenario=scenario)
        name = conv.title[lang]
        for node in conv.nodes:
            if node.choices:
                prompt = node.prompt[lang] if node.prompt else node.text[lang]
                chat.append({
                    "id": chat_item(conv.id, node.id),
                    "title": f"{name}: {_short(prompt)}",
                    "options": [(c.id, _short(c.text[lang], 90)) for c in node.choices],
                })
            if node.tags:
                signs.append({"id": chat_item(conv.id, node.id),
                              "title": f"{name}: «{_short(node.text[lang], 100)}»"})
    ui = load_ui()
    seen = set()
    for bank in load_banks().values():
        for q in bank.questions:
            if q.id in seen:
                continue
            seen.add(q.id)
            entry = {"id": q.id, "title": _short(q.prompt[lang], 160)}
            if q.sensitive:
                entry["options"] = [(o.id, _short(option_label(q, o, ui, lang), 90))
                                    for o in q.options]
                polls.append(entry)
            else:
                quiz.append(entry)
    return {"chat": chat, "signs": signs, "quiz": quiz, "polls": polls}
