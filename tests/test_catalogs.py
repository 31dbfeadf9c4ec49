"""Every user-facing string is translated into th, vi, km, lo and my, and every catalog compiles."""
import io

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from occurrences.catalogs import PLURAL_FORMS, extract, placeholders
from occurrences.i18n import LANGUAGES, catalog_path


@pytest.fixture(scope="module")
def msgids():
    ids = {m.id for m in extract() if m.id}
    assert len(ids) > 50  # extraction really found the code's strings
    return ids


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_catalog_complete_and_compiles(lang, msgids):
    with catalog_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    missing = sorted(i for i in msgids if not (catalog.get(i) and catalog.get(i).string)
                     or catalog.get(i).fuzzy)
    assert not missing, f"{lang}: {len(missing)} untranslated, e.g. {missing[:5]} - run python -m occurrences.catalogs and translate"
    for msgid in msgids:
        translated = catalog.get(msgid).string
        assert placeholders(translated) == placeholders(msgid), (lang, msgid, translated)
    assert catalog.plural_forms == PLURAL_FORMS or f"Plural-Forms: {PLURAL_FORMS}" in catalog_path(lang).read_text("utf-8")
    write_mo(io.BytesIO(), catalog)  # compiles
