"""Every widget of the course in every state a student can reach, driven from Python:
every chat path (with its flags and Back), every quiz bank to the end and again, every
checklist ticked. The tests of shared models and of the light front-end use it."""

from __future__ import annotations

from awareness.checklist import checklist_widget, load_checklists
from awareness.content.course import load_course
from awareness.conversation.engine import ChatEngine, all_paths
from awareness.conversation.model import load_conversation, scenario_ids
from awareness.conversation.widget import chat_widget
from awareness.paths import content_root
from awareness.quiz.model import load_banks, load_ui
from awareness.quiz.widget import QuizWidget


def tour(lang: str) -> None:
    """Drive every widget; fails if any callback showed an error. Set AWARENESS_FAST=1."""
    for scenario in scenario_ids():
        conv = load_conversation(scenario=scenario)
        chat = chat_widget(lang, scenario=scenario)
        for path in all_paths(conv):
            chat.restart_button.click()
            for choice_id in path:
                chat.choice_button(choice_id).click()
            for node_id in chat.shown_node_ids:  # flag every message on screen
                if node_id in chat.flag_buttons:
                    chat.flag_buttons[node_id].click()
            assert chat.error_label.value == ""
            assert ChatEngine(conv, path).finished
            chat.back_button.click()
            assert chat.error_label.value == ""
    ui = load_ui()
    for bank in load_banks().values():
        quiz = QuizWidget(bank.questions, lang, ui, seed=5)
        while not quiz.session.finished:
            quiz.check_button.click()  # no answer: a nudge
            quiz.show_answer_button.click()
            quiz.next_button.click()
        quiz.restart_button.click()
        assert quiz.last_error is None
    root = content_root()
    checklists, problems = load_checklists(root, load_course(root).languages)
    assert checklists is not None, problems
    for checklist in checklists.checklists:
        widget = checklist_widget(checklist.id, lang)
        for box in widget.checkboxes.values():
            box.value = True
