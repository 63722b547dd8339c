"""`python -m dashboard`: run the development server.

If the warehouse is missing, first writes the sample files (etl.sample.generate) and
builds the warehouse from them (etl.build.build), so a fresh clone shows something.
Production: `gunicorn dashboard.app:server` (see Procfile).
"""
from __future__ import annotations

import argparse
import logging
import os
import sys

from etl import config as etl_config

from dashboard import config

log = logging.getLogger("dashboard")


def ensure_warehouse(settings: config.Settings) -> None:
    """Generate the sample and build the warehouse when none is published yet."""
    from etl.publish import current_snapshot

    if current_snapshot(settings.db) is not None:
        return
    from etl.build import build
    from etl.sample import generate

    print(f"Fant ikke datavarehuset {settings.db}: lager eksempeldata i {settings.raw} og bygger det …", flush=True)
    settings.raw.mkdir(parents=True, exist_ok=True)
    if not any(settings.raw.iterdir()):
        generate(settings.raw)
    build(settings.raw, settings.db)
    print("Datavarehuset er bygd (med eksempeldata).", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard",
        description="Tiltaksmonitor: utviklingsserver for dashbordet.",
        epilog=config.help_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", help="standard: HOST eller 127.0.0.1")
    parser.add_argument("--port", type=int, help="standard: PORT eller 8050")
    parser.add_argument("--db", help=f"standard: {etl_config.DB_ENV} eller {etl_config.DEFAULT_DB}")
    parser.add_argument("--raw", help="rådatamappe for eksempeldata, standard: TILTAKSMONITOR_RAW eller data/raw")
    parser.add_argument("--debug", action="store_true", default=None, help="Dash sin feilsøkingsmodus (DASH_DEBUG=1)")
    parser.add_argument("--no-sample", action="store_true", help="ikke lag eksempeldata når varehuset mangler")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = config.settings(host=args.host, port=args.port, db=args.db, raw=args.raw, debug=args.debug)
    # The query layer finds the warehouse through the environment (etl.config.db_path).
    os.environ[etl_config.DB_ENV] = str(settings.db)
    if not args.no_sample:
        try:
            ensure_warehouse(settings)
        except Exception as err:  # the app still starts and says the data is missing
            log.error("kunne ikke bygge datavarehuset: %s", err)

    from dashboard.app import app

    app.run(host=settings.host, port=settings.port, debug=settings.debug)
    return 0


if __name__ == "__main__":
    sys.exit(main())
