"""The app's server side around Voilà: caps, ceilings, headers, hooks that fail loudly.

- ``limits``: every cap, ceiling and grace period as a setting (``--Limits.<name>`` or an
  ``AWARENESS_*`` environment variable).
- ``ceiling``: the environment and memory limit every lesson kernel runs with.
- ``ledger``: which client holds which kernel, and for how long (the caps' bookkeeping).
- ``clients``: who a request comes from (behind a trusted proxy too); the Host allow-list.
- ``handlers``: the lesson page and kernel websocket with the caps and limits; the
  friendly 503 page; the headers every response carries.
- ``hooks``: the checks that each Voilà or jupyter_server part the app wraps is there.
- ``logs``: no kernel ids in the log (a short hash instead).
"""
