"""CLI commands over the form definition: ``occurrences form`` and ``occurrences template``."""
from __future__ import annotations

import json
import sys

import click

from ..i18n import LANGUAGES
from . import load_form
from .templates import FORMATS, write_template


@click.command("form")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the definition as JSON (the only format so far).")
def form_command(lang, as_json):
    """Print the submission form (fields, labels, types, choices) in one language."""
    json.dump(load_form().to_dict(lang), sys.stdout, ensure_ascii=False, indent=None if as_json else 1)
    sys.stdout.write("\n")


@click.command("template")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of the headers (XLSForm: the default language; all six are included).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="xlsx", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
def template_command(lang, fmt, output):
    """Write a blank CSV or XLSX template, or an XLSForm for ODK/KoboToolbox, from the form definition."""
    path = write_template(output, fmt, lang)
    click.echo(f"Wrote {fmt} template ({lang}) to {path}")


__all__ = ["form_command", "template_command"]
