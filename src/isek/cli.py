"""The ``isek`` command: Django's management commands under stable, short names.

    isek demo [--no-serve] [--port N]
    isek import CONCEPT FILE --as area|quarters|measures [--crs EPSG:25832] [--layer NAME]
    isek export CONCEPT --gpkg FILE | --geojson FILE | --csv ZIP | --xlsx FILE
    isek import-concept FILE
    isek import-measures CONCEPT FILE [--mapping FILE] [--dry-run]
    isek import-contributions CONCEPT PHASE FILE [--mapping FILE] [--licence TEXT] [--theme NAME] [--dry-run]
    isek data fetch | status
    isek generate-land [--cities 400 --concepts 3 --measures 30 --ideas 200000 --seed 1]
    isek analyze EXTRACT --areas FILE [--layer NAME=FILE ...] [--population FILE] --out DIR
    isek indicators [--markdown]
    isek migrate, isek createsuperuser, ... (any Django management command)
"""

import os
import sys

ALIASES = {"import": "import_geodata", "export": "export_concept", "import-measures": "import_measures",
           "import-concept": "import_concept", "import-contributions": "import_contributions",
           "generate-land": "generate_land"}


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isek.config.settings")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("analyze", "indicators"):
        # The analysis is a pure library: no Django set-up needed.
        from isek.analysis.cli import main as analysis_main

        raise SystemExit(analysis_main(argv))
    if argv and argv[0] in ALIASES:
        argv[0] = ALIASES[argv[0]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["isek", *argv])


if __name__ == "__main__":
    main()
