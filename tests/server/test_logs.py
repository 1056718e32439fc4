"""No kernel ids in the log: a short hash that stays the same for the same kernel."""

from __future__ import annotations

import logging

from awareness.server.logs import KernelIdFilter, scrub, short_id

KERNEL = "3add0165-dfcd-407b-8c2d-d326130ade3e"


def test_ids_become_short_hashes():
    line = scrub(f"Kernel started: {KERNEL} and GET /api/kernels/{KERNEL}/channels")
    assert KERNEL not in line and line.count(short_id(KERNEL)) == 2
    assert short_id(KERNEL) == short_id(KERNEL.upper()) and len(short_id(KERNEL)) == 10
    assert scrub("comm " + "a" * 32) == "comm " + short_id("a" * 32)
    assert scrub("static.js?v=" + "b" * 128) == "static.js?v=" + "b" * 128  # not an id


def test_the_filter_rewrites_messages_and_tracebacks(caplog):
    log = logging.getLogger("test.kernel.ids")
    handler = logging.Handler()
    records: list[logging.LogRecord] = []
    handler.emit = records.append
    handler.addFilter(KernelIdFilter())
    log.addHandler(handler)
    try:
        log.warning("Kernel %s died", KERNEL)
        try:
            raise RuntimeError(f"no kernel {KERNEL}")
        except RuntimeError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
    text = " ".join(r.getMessage() + (r.exc_text or "") for r in records)
    assert KERNEL not in text and short_id(KERNEL) in text


def test_a_request_is_named_without_its_address_and_query(caplog):
    """Tornado's warnings name a request "GET /path?query (address)"; the filter keeps the
    method and path, and the address only when the operator asked for addresses."""
    from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine

    line = "%d %s: file not found"
    summary = "GET /voila/render/nb/x.ipynb?class=QX7K (10.1.2.3)"
    request = HTTPServerRequest(start_line=RequestStartLine("GET", "/a?class=QX7K", "HTTP/1.1"),
                                 headers=HTTPHeaders({"Host": "127.0.0.1"}))
    request.remote_ip = "10.1.2.3"
    filt = KernelIdFilter()
    for log_client, expected in ((False, "GET /voila/render/nb/x.ipynb"),
                                 (True, "GET /voila/render/nb/x.ipynb (10.1.2.3)")):
        filt.log_client = log_client
        record = logging.LogRecord("tornado.general", logging.WARNING, __file__, 1, line,
                                   (404, summary), None)
        filt.filter(record)
        assert record.getMessage() == f"404 {expected}: file not found"
        record = logging.LogRecord("tornado.application", logging.ERROR, __file__, 1,
                                   "Uncaught exception\n%r", (request,), None)
        filt.filter(record)
        assert ("10.1.2.3" in record.getMessage()) is log_client
        assert "QX7K" not in record.getMessage()
