"""python -m etl sample | build | quarantine"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import config


class _Progress:
    """A rich progress bar per file (bytes of the file as the unit of work)."""

    def __init__(self, console):
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                                 console=console, transient=False)
        self.tasks = {}

    def __enter__(self):
        self.progress.start()
        return self

    def __exit__(self, *exc):
        self.progress.stop()

    def start_file(self, name: str, size: int) -> None:
        self.tasks[name] = self.progress.add_task(name, total=max(size, 1))

    def end_file(self, name: str) -> None:
        task = self.tasks[name]
        self.progress.update(task, completed=self.progress.tasks[task].total)


def _summary_table(summary, console) -> None:
    from rich.table import Table

    t = Table(title=f"Bygg {summary.build_id}", show_lines=False)
    for col, just in (("Fil", "left"), ("Type", "left"), ("Status", "left"), ("Lest", "right"),
                      ("Lastet", "right"), ("Karantene", "right"), ("Merknader", "left")):
        t.add_column(col, justify=just)
    for f in summary.files:
        t.add_row(f.file_name, f.kind or "–", f.status, f"{f.rows_read:,}".replace(",", " "),
                  f"{f.rows_loaded:,}".replace(",", " "), f"{f.rows_quarantined:,}".replace(",", " "),
                  "; ".join(f.notes))
    console.print(t)
    reasons = {}
    for f in summary.files:
        for r, n in f.reasons.items():
            reasons[r] = reasons.get(r, 0) + n
    if reasons:
        console.print("[bold]Rader i karantene etter årsak[/] (se `python -m etl quarantine`)")
        rt = Table()
        rt.add_column("Årsak")
        rt.add_column("Rader", justify="right")
        for r, n in sorted(reasons.items(), key=lambda x: -x[1]):
            rt.add_row(r, str(n))
        console.print(rt)
    if summary.warnings:
        console.print("[bold]Datakvalitetsvarsler[/] (lastet, men flagget)")
        wt = Table()
        wt.add_column("Varsel")
        wt.add_column("Antall", justify="right")
        for w, n in sorted(summary.warnings.items()):
            wt.add_row(w, str(n))
        console.print(wt)
    if summary.unknown_files:
        console.print(f"[yellow]Ukjente filer (ikke lastet): {', '.join(summary.unknown_files)}[/]")
    console.print(f"Publisert: {summary.db} -> {summary.snapshot.name if summary.snapshot else '–'} "
                  f"({summary.seconds:.1f} s)")


def cmd_build(args) -> int:
    from rich.console import Console

    from .build import BuildError, build
    from .extract import FileError

    console = Console(width=None if sys.stdout.isatty() else 160)
    try:
        with _Progress(console) as progress:
            summary = build(args.raw, args.db, strict=args.strict, fresh=args.fresh, progress=progress)
    except (BuildError, FileError) as e:
        print(f"etl build feilet: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # a clear one-line reason, not a traceback, for users
        print(f"etl build feilet: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    _summary_table(summary, console)
    return 0


def cmd_sample(args) -> int:
    from .sample import generate

    paths = generate(Path(args.out), scale=args.scale, seed=args.seed)
    print(f"Skrev {len(paths)} eksempelfiler til {args.out}")
    return 0


def cmd_quarantine(args) -> int:
    import duckdb
    from rich.console import Console
    from rich.table import Table

    db = config.db_path(args.db)
    if not db.exists():
        print(f"Fant ikke datavarehuset {db}; kjør `python -m etl build` først", file=sys.stderr)
        return 1
    con = duckdb.connect(str(db.resolve()), read_only=True, config=config.duckdb_config(read_only=True))
    where, params = ("WHERE file_name = ?", [args.file]) if args.file else ("", [])
    rows = con.execute(f"""
        SELECT file_name, line, string_agg(column_name, ', ' ORDER BY column_name),
               string_agg(reason, '; ' ORDER BY column_name), any_value(raw_values)
        FROM quarantine {where} GROUP BY load_seq, file_name, line ORDER BY load_seq, line LIMIT ?""",
                       [*params, args.limit]).fetchall()
    total = con.execute(f"SELECT count(DISTINCT (load_seq, line)) FROM quarantine {where}", params).fetchone()[0]
    con.close()
    console = Console(width=None if sys.stdout.isatty() else 160)
    if not total:
        console.print("Ingen rader i karantene.")
        return 0
    t = Table(title=f"Rader i karantene: {total} (viser {len(rows)})")
    for col in ("Fil", "Linje", "Kolonne", "Årsak", "Råverdier"):
        t.add_column(col, overflow="fold")
    for f, line, cols, reasons, raw in rows:
        raw = raw or ""
        t.add_row(f, str(line), cols, reasons, raw if args.verbose or len(raw) <= 60 else raw[:60] + " …")
    console.print(t)
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m etl", description="Tiltaksmonitor ETL")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sample", help="skriv eksempeldata (generert, ikke ekte) i kontraktens formater")
    s.add_argument("--out", default=str(config.DEFAULT_RAW))
    s.add_argument("--scale", type=int, default=1)
    s.add_argument("--seed", type=int, default=2021)
    s.set_defaults(func=cmd_sample)
    b = sub.add_parser("build", help="les råfiler, valider, last og publiser datavarehuset")
    b.add_argument("--raw", default=None, help="mappe med råfiler (standard data/raw)")
    b.add_argument("--db", default=None, help="datavarehusfil (standard $TILTAKSMONITOR_DB eller data/warehouse.duckdb)")
    b.add_argument("--strict", action="store_true", help="feil hvis noen rad havner i karantene")
    b.add_argument("--fresh", action="store_true", help="start uten historikk fra forrige bygg")
    b.set_defaults(func=cmd_build)
    qa = sub.add_parser("quarantine", help="vis rader i karantene")
    qa.add_argument("--db", default=None)
    qa.add_argument("--file", default=None, help="bare denne filen")
    qa.add_argument("--limit", type=int, default=200)
    qa.add_argument("--verbose", "-v", action="store_true", help="vis alle råverdier")
    qa.set_defaults(func=cmd_quarantine)
    args = p.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
