#!/usr/bin/env bash
# Regenerate the README's images (docs/images/*.png) from the default scenario.
#
#   docs/make-images.sh        (from anywhere, with coprod installed and on PATH)
#
# The charts come from `coprod report` (all six in one run, about a minute on
# two cores); report.png is the top of the HTML report in headless Chromium,
# made only when `chromium` is installed. Chart PNGs are byte-identical for
# the same inputs and the same matplotlib.
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/images
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

coprod report -o "$tmp/report"
mkdir -p "$out"
for kind in contributions gantt tornado acceptability core frontier; do
    install -m 644 "$tmp/report/$kind.png" "$out/$kind.png"
done

if command -v chromium >/dev/null; then
    # As root on a closed network Chromium needs these switches and a fresh profile.
    chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --user-data-dir="$tmp/profile" \
        --screenshot="$tmp/report.png" --window-size=1280,1400 --hide-scrollbars \
        "file://$tmp/report/report.html" 2>/dev/null
    install -m 644 "$tmp/report.png" "$out/report.png"
else
    echo "make-images: chromium not found; $out/report.png left as it was" >&2
fi
ls -l "$out"
