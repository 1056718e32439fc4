"""The serverless copy: every lesson in every language as plain HTML, CSS and one script
(``python -m awareness static``, ``make static``), and a SCORM 1.2 package per language."""
