"""Helpers for the map's browser tests: the Leaflet map in the page, clicks, a second server."""

from __future__ import annotations

import threading
from contextlib import contextmanager

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

MAP = "window[JSON.parse(document.getElementById('kbm-map-config').textContent).map]"
# A 1x1 grey PNG, the tile every tile request gets.
TILE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63"
    "78f1e20500057402b9d9c2c7650000000049454e44ae426082"
)


def loads(page) -> int:
    """Return how many answers the map has drawn so far."""
    return int(page.get_attribute(".kbm-map", "data-loads") or 0)


def wait_until_ready(page, condition: str = "true", after: int | None = None) -> None:
    """Wait until the map has drawn the answer to its last request (one after `after` answers
    if given) and `condition` holds; `map` is the Leaflet map in the condition."""
    newer = "true" if after is None else f"Number(box.dataset.loads || 0) > {after}"
    page.wait_for_function(
        f"() => {{ const map = {MAP}; const box = map.getContainer();"
        f" return box.dataset.state === 'ready' && {newer} && ({condition}); }}"
    )


def click_and_wait(page, locator, condition: str = "true") -> None:
    """Click a marker and wait for the map to load and draw the view that follows."""
    before = loads(page)
    locator.click()
    wait_until_ready(page, condition, after=before)


def axe_violations(page, base_url: str) -> list[dict]:
    """Run axe-core (WCAG 2.1 A/AA) loaded from the app itself (the map's CSP allows no
    injected inline script) and return its violations."""
    page.add_script_tag(url=f"{base_url}/static/vendor/axe-core/axe.min.js")
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)
            }));
        }"""
    )


def zoom(page) -> int:
    """Return the map's zoom level."""
    return page.evaluate(f"{MAP}.getZoom()")


def set_view(page, lat: float, lon: float, level: int) -> None:
    """Move the map without animation and wait for its markers."""
    before = loads(page)
    page.evaluate(f"{MAP}.setView([{lat}, {lon}], {level}, {{animate: false}})")
    wait_until_ready(page, f"map.getZoom() === {level}", after=before)


def central(page, selector: str):
    """Return the marker nearest to the map's centre that no other marker covers (legend and
    controls sit in the corners; in towns, cluster icons of neighbouring cells overlap)."""
    index = page.evaluate(
        """(selector) => {
            const box = document.querySelector('.kbm-map').getBoundingClientRect();
            const cx = box.left + box.width / 2, cy = box.top + box.height / 2;
            let best = -1, distance = Infinity;
            document.querySelectorAll(selector).forEach((el, i) => {
                const r = el.getBoundingClientRect();
                const x = r.left + r.width / 2, y = r.top + r.height / 2;
                const top = document.elementFromPoint(x, y);
                if (!top || !(top === el || el.contains(top))) return;
                const d = Math.hypot(x - cx, y - cy);
                if (d < distance) { distance = d; best = i; }
            });
            return best;
        }""",
        selector,
    )
    assert index >= 0, f"no {selector} on the map"
    return page.locator(selector).nth(index).element_handle()


@contextmanager
def serve(pages: dict[str, tuple[str, bytes]], hits: list[str] | None = None):
    """Serve fixed responses {path prefix: (mimetype, body)} on another port of 127.0.0.1."""

    @Request.application
    def app(request: Request) -> Response:
        if hits is not None:
            hits.append(request.path)
        for prefix, (mimetype, body) in pages.items():
            if request.path.startswith(prefix):
                return Response(body, mimetype=mimetype)
        return Response("not found", status=404)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
