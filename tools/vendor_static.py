"""Copy the front-end libraries installed by npm into the package's static folder.

Run by `make static` after `npm ci`; the copies are not committed (see .gitignore)."""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NM = ROOT / "node_modules"
DEST = ROOT / "src" / "isek" / "web" / "static" / "vendor"

COPIES = {
    "maplibre": (NM / "maplibre-gl" / "dist", ["maplibre-gl.mjs", "maplibre-gl-worker.mjs", "maplibre-gl.css"]),
    "mapbox-gl-draw": (NM / "@mapbox" / "mapbox-gl-draw" / "dist", ["mapbox-gl-draw.js", "mapbox-gl-draw.css"]),
    "kern": (NM / "@kern-ux" / "native" / "dist", ["kern.min.css", "fonts"]),
    "chartjs": (NM / "chart.js" / "dist", ["chart.umd.min.js"]),
    "tus": (NM / "tus-js-client" / "dist", ["tus.min.js"]),
    "altcha": (NM / "altcha" / "dist" / "main", ["altcha.i18n.min.js"]),
}
LICENCES = {
    "maplibre": NM / "maplibre-gl" / "LICENSE.txt",
    "mapbox-gl-draw": NM / "@mapbox" / "mapbox-gl-draw" / "LICENSE",
    "kern": NM / "@kern-ux" / "native" / "LICENSE.md",
    "chartjs": NM / "chart.js" / "LICENSE.md",
    "tus": NM / "tus-js-client" / "LICENSE",
    "altcha": NM / "altcha" / "LICENSE.txt",
}


def main() -> int:
    if not NM.exists():
        print("node_modules fehlt: zuerst `npm ci` ausführen.", file=sys.stderr)
        return 1
    for name, (src, items) in COPIES.items():
        out = DEST / name
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        for item in items:
            s = src / item
            if s.is_dir():
                shutil.copytree(s, out / item)
            else:
                shutil.copy2(s, out / item)
        lic = LICENCES[name]
        if lic.exists():
            shutil.copy2(lic, out / ("LICENSE" + lic.suffix))
    print(f"vendored into {DEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
