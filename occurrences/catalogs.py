"""Maintain the gettext catalogs: extract every msgid from the code and templates, merge into each language.

``python -m occurrences.catalogs`` refreshes ``locales/occurrences.pot`` and every ``.po`` (new msgids arrive
untranslated and the catalog test fails until a translator fills them in).
"""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from .i18n import DOMAIN, LANGUAGES, catalog_path, data_dir

KEYWORDS = {"N_": None, "_": None, "gettext": None, "ngettext": (1, 2)}
METHOD_MAP = [("occurrences/**.py", "python"), ("occurrences/**/templates/**.html", "jinja2")]
PLACEHOLDER = re.compile(r"\{[a-zA-Z_][a-zA-Z0-9_]*(?:![rsa])?(?::[^}]*)?\}")
# CLDR: none of these languages distinguishes plural forms (pybabel init writes a wrong header for my).
PLURAL_FORMS = "nplurals=1; plural=0;"


def root() -> Path:
    return data_dir("locales").parent


def extract() -> Catalog:
    catalog = Catalog(domain=DOMAIN, project="occurrences", charset="utf-8")
    options = {"occurrences/**/templates/**.html": {"extensions": "jinja2.ext.i18n", "encoding": "utf-8"}}
    for filename, lineno, message, comments, context in extract_from_dir(
            str(root()), METHOD_MAP, options, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)):
        if message:
            catalog.add(message, locations=[(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def update() -> None:
    template = extract()
    pot = data_dir("locales") / f"{DOMAIN}.pot"
    pot.parent.mkdir(parents=True, exist_ok=True)
    with pot.open("wb") as fh:
        write_po(fh, template, omit_header=False, width=110)
    for lang in LANGUAGES[1:]:
        path = catalog_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=lang, domain=DOMAIN)
        else:
            catalog = Catalog(locale=lang, domain=DOMAIN, project="occurrences", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.plural_forms  # noqa: B018  (babel computes it from the locale; we override below)
        with path.open("wb") as fh:
            write_po(fh, catalog, width=110, ignore_obsolete=True)
        text = path.read_text("utf-8")
        text = re.sub(r'"Plural-Forms: [^"]*\\n"', f'"Plural-Forms: {PLURAL_FORMS}\\\\n"', text)
        path.write_text(text, "utf-8")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


if __name__ == "__main__":
    update()
    print(f"updated catalogs in {data_dir('locales')}")
