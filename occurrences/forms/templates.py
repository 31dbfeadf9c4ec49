"""Blank templates generated from the form definition: CSV and XLSX per language, and one XLSForm (all six
languages) for ODK Collect / KoboToolbox. Headers are the labels, so the import maps them back."""
from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ..i18n import LANGUAGES
from . import LANGUAGE_ENGLISH_NAMES, Form, load_form

FORMATS = ("csv", "xlsx", "xlsform")
XLSFORM_TYPES = {"text": "text", "taxon": "text", "date": "date", "latitude": "decimal", "longitude": "decimal",
                 "coordinates": "text", "decimal": "decimal", "integer": "integer"}
XLSFORM_CONSTRAINTS = {"latitude": ". >= -90 and . <= 90", "longitude": ". >= -180 and . <= 180",
                       "decimal": ". >= 0", "integer": ". >= 0"}


def write_template(path: str | Path, fmt: str, lang: str = "en", form: Form | None = None) -> Path:
    form = form or load_form()
    writer = {"csv": write_csv, "xlsx": write_xlsx, "xlsform": write_xlsform}[fmt]
    return writer(Path(path), lang, form)


def write_csv(path: Path, lang: str, form: Form) -> Path:
    # utf-8-sig: Excel only opens CSV as UTF-8 (instead of the Windows code page) when it starts with a BOM.
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerow([f.label(lang) for f in form.fields])
    return path


def write_xlsx(path: Path, lang: str, form: Form) -> Path:
    """One sheet to fill (labels as headers, help as comments, pick lists on choice columns) and a hidden
    sheet holding the localized choice labels the pick lists point at."""
    wb = Workbook()
    ws = wb.active
    ws.title = "records"
    lists = wb.create_sheet("lists")
    lists.sheet_state = "hidden"
    bold = Font(bold=True)
    list_col = 0
    for col, f in enumerate(form.fields, start=1):
        cell = ws.cell(row=1, column=col, value=f.label(lang))
        cell.font = bold
        cell.comment = Comment(f.help[lang], "occurrences")
        ws.column_dimensions[get_column_letter(col)].width = max(14, min(40, len(f.label(lang)) + 4))
        if f.choices:
            list_col += 1
            letter = get_column_letter(list_col)
            lists.cell(row=1, column=list_col, value=f.term)
            for i, c in enumerate(f.choices, start=2):
                lists.cell(row=i, column=list_col, value=c.label(lang))
            ref = f"{quote_sheetname('lists')}!${letter}$2:${letter}${len(f.choices) + 1}"
            # Not strict: values and labels of other languages are accepted on import, so only warn.
            dv = DataValidation(type="list", formula1=ref, allow_blank=True, errorStyle="warning")
            dv.add(f"{get_column_letter(col)}2:{get_column_letter(col)}5000")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    wb.save(path)
    return path


def _lang_column(kind: str, lang: str) -> str:
    return f"{kind}::{LANGUAGE_ENGLISH_NAMES[lang]} ({lang})"


def write_xlsform(path: Path, lang: str, form: Form) -> Path:
    """XLSForm with ``label::Thai (th)``-style columns for every language (docs.getodk.org/form-language);
    ``lang`` becomes the default language. Field names are the Darwin Core terms, choice names the values
    we store, so ODK/Kobo submissions import without mapping."""
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    langs = list(LANGUAGES)
    survey.append(["type", "name", *[_lang_column("label", lg) for lg in langs],
                   *[_lang_column("hint", lg) for lg in langs], "required", "default", "constraint"])
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", *[_lang_column("label", lg) for lg in langs]])
    for f in form.fields:
        kind = f"select_one {f.term}" if f.choices else XLSFORM_TYPES[f.type]
        survey.append([kind, f.term, *[f.labels[lg] for lg in langs], *[f.help[lg] for lg in langs],
                       "yes" if f.required else "", _xml_name(f.default or ""), XLSFORM_CONSTRAINTS.get(f.type, "")])
        for c in f.choices:
            choices.append([f.term, _xml_name(c.value), *[c.labels[lg] for lg in langs]])
    settings = wb.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([form.titles[lang], form.id, form.version.replace(".", ""), _lang_column("x", lang)[3:]])
    wb.save(path)
    return path


def _xml_name(value: str) -> str:
    """ODK choice names may not contain spaces; our stored values may ("camera trap")."""
    return value.replace(" ", "_")


__all__ = ["FORMATS", "write_template", "write_csv", "write_xlsx", "write_xlsform"]
