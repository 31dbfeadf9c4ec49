"""What the import pipeline itself can refuse: whole-file problems (exceptions, nothing read) and the flag codes
of cell-level checks (formula, oversized cell, control characters, mixed scripts, unknown choice)."""
from __future__ import annotations

from ..errors import OccurrencesError
from ..flags import ERROR, WARNING, define
from ..i18n import N_


class FileRejected(OccurrencesError):
    """The file as a whole cannot be imported; nothing was read into the database."""

    code = "file-rejected"
    status = 400

    def __init__(self, name: str, **params):
        super().__init__(name=name, **params)


class EmptyFile(FileRejected):
    code = "empty-file"
    template = N_("{name} is empty. Fill in the template (one row per record under the header row) and upload it again.")


class HeaderOnly(FileRejected):
    code = "no-data-rows"
    template = N_("{name} has a header row but no records. Add one row per record under the header and import it again.")


class NoKnownColumns(FileRejected):
    """Not one header is a form label or a Darwin Core term: refused at once, not as millions of row errors."""

    code = "no-known-columns"
    template = N_("{name}: none of its columns ({columns}) is a form label or a Darwin Core term, so no record can be read. Check that the first row is the header row and that its cells are separated by commas, semicolons or tabs, or start from the template.")


class NotUtf8(FileRejected):
    code = "wrong-encoding"
    template = N_("{name} is not UTF-8 text (unreadable byte at position {position}{guess}). In Excel choose Save As → 'CSV UTF-8 (Comma delimited)', or save it as .xlsx, and import it again.")


class MixedEncodingFile(FileRejected):
    code = "mixed-encodings"
    template = N_("{name} mixes two text encodings: line {utf8_line} is UTF-8 but line {other_line} is not, so part of it would be garbled whichever way it is read. Open it in the program that made it, save it as 'CSV UTF-8 (Comma delimited)' or .xlsx, and import it again.")


class TextDestroyed(FileRejected):
    """Letters replaced by "?" by a save in a code page without the file's script (Khmer, Lao and Burmese have
    none). ``language``: the form language the headers' shapes match, to tell the person in their language."""

    code = "text-destroyed"
    template = N_("{name}: the letters in row {row}, column {column} ({example}) were replaced by question marks when the file was saved in a format without its alphabet. They cannot be recovered from this file. In Excel choose Save As → 'CSV UTF-8 (Comma delimited)', or save it as .xlsx, from the original, and import that.")

    def __init__(self, name: str, language: str | None = None, **params):
        super().__init__(name, **params)
        self.language = language


class NotASpreadsheet(FileRejected):
    code = "not-a-spreadsheet"
    template = N_("{name} is not an Excel workbook (.xlsx) we can read: {reason}. Open it in Excel or LibreOffice and save it as .xlsx or as CSV UTF-8.")


class BadCsv(FileRejected):
    code = "bad-csv"
    template = N_("{name} cannot be read as CSV: {reason}. Check that every row has as many cells as the header row and that quotes are closed.")


class UnsafeXml(FileRejected):
    code = "unsafe-xml"
    template = N_("{name}: {part} declares a document type or entities, which a Darwin Core Archive never needs and which can read files on the server or grow without end. Nothing was read. Export the archive again from its source.")


class BadXml(FileRejected):
    code = "bad-xml"
    template = N_("{name}: {part} is not well-formed XML ({reason}). Nothing was read. Export the archive again from its source.")


class ExtensionWithoutCoreId(FileRejected):
    code = "extension-without-coreid"
    template = N_("{name}: in meta.xml, the extension {file} has no index on its coreid (the column that links its rows to the core records), so its rows cannot be linked. Nothing was read. Export the archive again from its source, or give the coreid element an index (index=\"0\" when its first column holds the core record's id).")


class DuplicateColumns(FileRejected):
    code = "duplicate-columns"
    status = 422
    template = N_("{name}: the columns {columns} all fill the same field {field}. Keep one of them.")


class BrokenCharacter(OccurrencesError):
    """A submitted value holds a lone UTF-16 surrogate (JSON allows "\\ud800"); no stored text can hold one."""

    code = "broken-character"
    status = 422
    template = N_("Field {field} contains a broken character ({character}, half of a UTF-16 pair). Retype the value.")


class TooLarge(FileRejected):
    code = "file-too-large"
    status = 413
    template = N_("{name} is too large ({size} after unpacking; the limit is {limit}). Split it into smaller files.")


define("TEXT_ENCODING_ASSUMED", WARNING,
       N_("The file is not UTF-8; it was read as {encoding}. Check that its letters look right. To be sure, save it as 'CSV UTF-8 (Comma delimited)' or .xlsx, or give the encoding (occurrences import --encoding)."),
       "A CSV in a legacy code page (cp874, cp1258, cp1252, Mac Roman), detected and converted.",
       "Check the text; save as CSV UTF-8 or XLSX.")
class TooManyColumns(FileRejected):
    code = "too-many-columns"
    status = 413
    template = N_("{name} has a cell in column {column}; at most {limit} columns are read. Delete the unused columns to the right of the records (select them, right-click, Delete), save and upload it again.")


class TooManyCells(FileRejected):
    code = "too-many-cells"
    status = 413
    template = N_("{name} has more than {limit} cells. Split it into smaller files, or save it as CSV UTF-8.")


class ReadTooSlow(FileRejected):
    code = "read-too-slow"
    status = 413
    template = N_("Reading {name} took longer than {seconds} seconds and was stopped. Split it into smaller files, or save it as CSV UTF-8.")


define("CELL_TOO_LONG", ERROR,
       N_("Field {field} has {length} characters; the limit is {limit}. Shorten the text (long notes belong in Remarks, split over several records if needed)."),
       "A cell longer than the limit.", "Shorten the cell.", threshold="10,000 characters")
define("FORMULA_NOT_ALLOWED", ERROR,
       N_("Field {field} holds a spreadsheet formula ({value}). Formulas are not imported because they can run when the file is opened. Type the value itself."),
       "A cell starting with = or @ (also fullwidth, or after invisible characters; a spreadsheet formula, CSV injection).", "Replace the formula by its value.")
define("CONTROL_CHARACTER", ERROR,
       N_("Field {field} contains an invisible control character ({character}), which can hide or reorder text. Retype the value."),
       "A cell with NUL, other C0 controls or bidirectional overrides.", "Retype the value.")
define("MIXED_SCRIPTS", ERROR,
       N_("Field {field}: the word {word!r} mixes {scripts} letters (for example a Cyrillic 'а' that looks like a Latin 'a'). Retype it in one script."),
       "A word in a name or identifier mixes letters of two scripts (homoglyphs).", "Retype the word.")
define("MIXED_SCRIPTS_TEXT", WARNING,
       N_("Field {field}: the word {word!r} mixes {scripts} letters. Check that it is typed correctly."),
       "A word in free text mixes letters of two scripts.", "Check the word.")
define("CHOICE_INVALID", ERROR,
       N_("Field {field}: {value!r} is not one of the choices. Use one of: {allowed}."),
       "A pick-list cell that is neither a stored value nor a label in any language.", "Use one of the listed choices.")
define("NUMBER_TOO_LARGE", ERROR, N_("Field {field}: {value!r} is larger than {limit}. Check the number."),
       "A whole number beyond any plausible count (and beyond what a database integer holds).",
       "Correct the number.", threshold="1,000,000,000")
define("NUMBER_NEGATIVE", ERROR, N_("Field {field}: {value!r} must be 0 or more."),
       "A count or distance below zero.", "Write a number of 0 or more.")
define("ROW_TOO_SHORT", ERROR,
       N_("This row has {cells} cells but the header row has {expected}, so values may have shifted into the wrong columns. Check the row (a missing comma or a merged cell) and fill empty cells with nothing between the commas."),
       "A CSV row with fewer cells than the header row.", "Repair the row.")
