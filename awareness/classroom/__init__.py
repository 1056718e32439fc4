"""Live class mode: the class answers on their own screens, the projector shows only totals.

- ``model``: class codes, the events a lesson kernel reports, and the totals (pure).
- ``store``: where classes and their votes live (``ClassStore``; ``MemoryStore`` in the
  server's memory, nothing on disk).
- ``reporter``: in a pupil's lesson kernel, the hook the widgets call (choice made, quiz
  answered, sign flagged); it posts the event to the server over loopback.
- ``server``: the server's side: settings, which kernel counts in which class (bound when
  a kernel is handed to a page request that came with ``?class=``), the report endpoint.
- ``teacher``: the teacher page and its JSON API under ``/teacher`` (key required).
"""
