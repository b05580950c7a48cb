"""Regenerate docs/images/serve.png, the README's picture of the what-if page (``coprod serve``).

    python docs/screenshot.py                       # starts coprod serve on scenarios/bilateral.yaml
    python docs/screenshot.py SCENARIO              # ... on another scenario
    python docs/screenshot.py --url 'http://127.0.0.1:8765/?token=T'   # a server already running

It needs the installed ``coprod`` (next to this Python), the ``playwright``
package and Debian's ``chromium``. The page is set to a realistic state
before the picture (1280 x 900): one weight moved, so the ranking, the
portfolio and what changed differ from the file, and the flip marks and,
with perspectives, the Pareto chart drawn.
"""

from __future__ import annotations

import argparse
import re
import secrets
import signal
import subprocess
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
COPROD = Path(sys.executable).with_name("coprod")
WAIT_MS = 120_000


def start_server(scenario: Path) -> tuple[subprocess.Popen, str]:
    """``coprod serve`` on a free port; its process and the address it prints."""
    token = secrets.token_urlsafe(16)
    proc = subprocess.Popen([str(COPROD), "serve", str(scenario), "--port", str(free_port()),
                             "--token", token], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    seen = []
    for line in proc.stderr:
        seen.append(line)
        m = re.search(r"coprod: serving (http://\S+)", line)
        if m:
            # Keep draining stderr so the server never blocks on a full pipe.
            threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
            return proc, m.group(1)
    proc.wait()
    sys.exit("coprod serve did not start:\n" + "".join(seen))


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shoot(url: str, out: Path, weight: str, value: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        page.wait_for_selector("body[data-state=idle]", state="attached", timeout=WAIT_MS)
        page.fill(f'input[data-weight="{weight}"]', value)
        page.wait_for_selector("body[data-state=idle]", state="attached", timeout=WAIT_MS)
        page.wait_for_selector("body[data-flips=done]", state="attached", timeout=WAIT_MS)
        if page.is_visible("#partners-card"):
            page.wait_for_selector("#pareto-box[data-state=done]", state="attached", timeout=WAIT_MS)
        # Let the last repaint land, then take the picture with no control focused.
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 100)))")
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.screenshot(path=str(out))
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "bilateral.yaml"))
    parser.add_argument("--url", help="the address of a running coprod serve, with its token")
    parser.add_argument("-o", "--output", default=str(ROOT / "docs" / "images" / "serve.png"))
    parser.add_argument("--weight", default="standardization=40", help="the weight moved before the picture (ID=N)")
    args = parser.parse_args()
    weight, _, value = args.weight.partition("=")
    proc = None
    url = args.url
    if url is None:
        proc, url = start_server(Path(args.scenario))
    try:
        shoot(url, Path(args.output), weight, value)
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(f"screenshot: wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
