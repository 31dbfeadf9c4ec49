"""Dates typed in any of the six languages → ISO 8601 (date, month, year or ``start/end`` interval).

Accepted: ISO (with or without time), d/m/y with / - . or spaces (never m/d/y: a month above 12 is an
error that says so), y/m/d with a four-digit year first, month names and abbreviations of every language
(babel CLDR; Thai abbreviations with or without dots), era markers พ.ศ./ค.ศ., Buddhist Era years (> 2400,
and two-digit years in Thai), intervals. Each unique cell is read once; the rows share the result.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import numpy as np

from . import flags as _flags  # noqa: F401
from ..flags import Phrase
from .calendars import MYANMAR_ERA, THAI, buddhist_calendar, to_ce
from .months import month_regex, month_table
from .result import Issues, ParsedDates, Problem
from .strings import clean, encode

BE_THRESHOLD = 2400  # a four-digit year from here on is Buddhist Era (CE 1857+)
EARLIEST_YEAR = 1700
# Era markers. Buddhist Era: th พ.ศ., lo ພ.ສ. (CLDR), km ព.ស. (ពុទ្ធសករាជ), my ဗုဒ္ဓသက္ကရာဇ် / သာသနာ သက္ကရာဇ်.
_BE = re.compile(r"พ\.?\s?ศ\.?|ພ\.?\s?ສ\.?|ព\.?\s?ស\.?|ពុទ្ធសករាជ|(?:ဗုဒ္ဓ|သာသနာ)\s?သက္ကရာဇ်"
                 r"|(?<![a-z])b\.?\s?e\.?(?![a-z])")
_CE = re.compile(r"ค\.?\s?ศ\.?|ຄ\.?\s?ສ\.?|គ\.?\s?ស\.?|ခရစ်\s?(?:သက္ကရာဇ်|နှစ်)"
                 r"|(?<![a-z])(?:c\.?\s?e|a\.?\s?d)\.?(?![a-z])")
# Myanmar Era (ME = CE − 638 from Myanmar New Year): မြန်မာသက္ကရာဇ်, ကောဇာ(သက္ကရာဇ်), "ME" / "M.E.".
_ME = re.compile(r"မြန်မာ\s?သက္ကရာဇ်|ကောဇာ(?:\s?သက္ကရာဇ်)?|(?<![a-z])m\.?\s?e\.?(?![a-z])")
_FILLERS = re.compile(r"วันที่|เดือน|ปี|ngày|năm|ခုနှစ်|(?<![a-z])(?:the|of)(?![a-z])")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2})(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?)?$")
_ISO_TIME = r"(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?"
_ISO_INTERVAL = re.compile(rf"^(\d{{4}}(?:-\d{{1,2}}){{0,2}}{_ISO_TIME})/(\d{{4}}(?:-\d{{1,2}}){{0,2}}{_ISO_TIME})$")
_RANGE = re.compile(r"\s+(?:-|–|—|to|ถึง|đến)\s+|\s*[–—]\s*")
_VI_MONTH = re.compile(r"(?:tháng|thang|thg)\s*0*(\d{1,2})(?!\d)")
# Letters of a script in the cell (month names, era markers) decide the calendar, whatever the form language.
_SCRIPT_LANG = ((re.compile(r"[\u0e01-\u0e4f]"), "th"), (re.compile(r"[\u0e81-\u0ecf\u0edc-\u0edf]"), "lo"),
                (re.compile(r"[\u1780-\u17d3]"), "km"), (re.compile(r"[\u1000-\u103f\u104a-\u109f]"), "my"))
_TOKEN = re.compile(r"\d+|m\d+")
_SEPARATORS = re.compile(r"^[\s/.,\-]*$")
# A slash or dash before the first or after the last part: a negative number, or half an interval ("2021-04-05/").
_DANGLING = re.compile(r"^\s*[/\-]|[/\-]\s*$")


# Excel stores dates as days since 1899-12-30 (the "1900 date system", counting Lotus's phantom 29 Feb 1900) or,
# in old Mac workbooks, since 1904-01-01. Only five-digit serials are read as dates (1927-05-18 to 2173): four
# digits are years, and smaller numbers are far more likely something else.
EXCEL_1900_EPOCH = date(1899, 12, 30)
EXCEL_1904_EPOCH = date(1904, 1, 1)
EARLIEST_EXCEL_SERIAL = 10_000
_EXCEL_SERIAL = re.compile(r"^\d{5}(?:[.,]\d+)?$")
_ENGLISH_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# java.util.Date.toString(), as in old GBIF portal downloads: "Tue Apr 01 00:00:00 CET 1930".
_JAVA_DATE = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\s+"
                        r"(\d{1,2})\s+\d{1,2}:\d{2}(?::\d{2})?\s+(?:[a-z]{1,6}(?:[+-]\d{1,2}(?::?\d{2})?)?\s+)?"
                        r"(\d{4})$")


class _Bad(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def parse_dates(values, lang: str = "en", today: date | None = None, date_system: int | None = None) -> ParsedDates:
    """Cells → ISO strings (object array, None where empty or bad) with per-row problems. ``date_system``: the
    workbook's Excel date system (1900 or 1904) when the cells come from an XLSX file; None when unknown."""
    today = today or date.today()
    codes, distinct = encode(values)
    cleaned = clean(distinct).to_pylist()
    results = [read_date(u, lang, today, date_system) if u is not None else (None, [], False) for u in cleaned]
    iso_u = np.array([r[0] for r in results] + [None], object)
    be_u = np.array([r[2] for r in results] + [False], bool)
    empty_u = np.array([u is None for u in cleaned] + [True], bool)
    issues = Issues.from_unique(codes, [tuple(r[1]) for r in results])
    return ParsedDates(iso_u[codes], issues, empty_u[codes], be_u[codes])


def read_date(text: str, lang: str = "en", today: date | None = None,
              date_system: int | None = None) -> tuple[str | None, list[Problem], bool]:
    """One cleaned cell → (ISO string or None, problems, Buddhist Era converted?)."""
    today = today or date.today()
    key = text.casefold()
    lang = next((code for script, code in _SCRIPT_LANG if script.search(key)), lang)
    try:
        m = _ISO_INTERVAL.match(key)
        halves = [m[1], m[2]] if m else _RANGE.split(key)
        if len(halves) == 2 and all(h.strip() for h in halves):
            (start, p1, be1), (end, p2, be2) = (_single(h.strip(), lang, today, date_system) for h in halves)
            if _first_day(end) < _first_day(start):
                raise _Bad(Problem.of("DATE_INTERVAL_REVERSED"))
            return f"{start}/{end}", p1 + p2, be1 or be2
        return _single(key, lang, today, date_system)
    except _Bad as bad:
        return None, [bad.problem], False


def _single(key: str, lang: str, today: date, date_system: int | None = None) -> tuple[str, list[Problem], bool]:
    if _EXCEL_SERIAL.match(key):
        return _excel_serial(key, today, date_system)
    java = _JAVA_DATE.match(key)
    if java:  # "Tue Apr 01 00:00:00 CET 1930": the day as written, in the zone it names
        key = f"{java[3]}-{_ENGLISH_MONTHS.index(java[1]) + 1:02d}-{int(java[2]):02d}"
    era = "BE" if _BE.search(key) else "CE" if _CE.search(key) else "ME" if _ME.search(key) else None
    key = _ME.sub(" ", _CE.sub(" ", _BE.sub(" ", key)))
    key = _FILLERS.sub(" ", key).strip()
    m = _ISO.match(key)
    if m:
        y, mo, d = m[1], m[2], m[3]
    elif re.fullmatch(r"\d{8}", key):
        y, mo, d = key[:4], key[4:6], key[6:]
    else:
        y, mo, d = _day_month_year(key)
    problems: list[Problem] = []
    month = int(mo) if mo else None
    day = int(d) if d else None
    if month is not None and not 1 <= month <= 12:
        if day is not None and day <= 12:
            raise _Bad(Problem.of("DATE_DAY_MONTH_ORDER", month=month))
        raise _Bad(Problem.of("DATE_IMPOSSIBLE", day=day or "", month=month, year=y))
    year, be = _resolve_year(y, lang, era, today, problems, month, day)
    iso = _iso(year, month, day)
    first = _first_day(iso)
    if year < EARLIEST_YEAR or first > today:
        raise _Bad(Problem.of("RECORDED_DATE_OUT_OF_RANGE", iso=iso))
    return iso, problems, be


def _excel_serial(key: str, today: date, date_system: int | None = None) -> tuple[str, list[Problem], bool]:
    """A date cell holding Excel's serial number (a date column pasted as numbers, or a CSV re-saved from a sheet
    whose dates lost their format). From an XLSX file, in the workbook's own date system; otherwise in the
    1900 system, with the 1904 reading named in the warning."""
    days = int(float(key))
    epoch = EXCEL_1904_EPOCH if date_system == 1904 else EXCEL_1900_EPOCH
    iso = (epoch + timedelta(days=days)).isoformat()
    if not EARLIEST_EXCEL_SERIAL <= days or date.fromisoformat(iso) > today:
        raise _Bad(Problem.of("DATE_EXCEL_SERIAL_OUT_OF_RANGE", iso=iso))
    if date_system in (1900, 1904):
        return iso, [Problem.of("DATE_EXCEL_SERIAL_WORKBOOK", iso=iso, system=date_system)], False
    alt = (EXCEL_1904_EPOCH + timedelta(days=days)).isoformat()
    return iso, [Problem.of("DATE_EXCEL_SERIAL", iso=iso, alt=alt)], False


def _day_month_year(key: str) -> tuple[str, str | None, str | None]:
    key = _VI_MONTH.sub(lambda m: f" m{int(m[1])} " if 1 <= int(m[1]) <= 12 else m[0], key)
    table = month_table()
    key = month_regex().sub(lambda m: f" m{table[m[0]]} ", key)
    tokens = _TOKEN.findall(key)
    if not tokens or not _SEPARATORS.match(_TOKEN.sub("", key)) or _DANGLING.search(key):
        raise _Bad(Problem.of("RECORDED_DATE_INVALID"))
    named = [t for t in tokens if t.startswith("m")]
    numbers = [t for t in tokens if not t.startswith("m")]
    if len(named) > 1:
        raise _Bad(Problem.of("RECORDED_DATE_INVALID"))
    if named:
        month = named[0][1:]
        if len(numbers) == 1:  # "มี.ค. 2567", "March 2024"
            return numbers[0], month, None
        if len(numbers) == 2:
            long_years = [t for t in numbers if len(t) == 4]
            if len(long_years) == 1:
                year = long_years[0]
                day = numbers[1] if numbers[0] == year else numbers[0]
            else:  # "15 มี.ค. 67", "Mar 15 24": the year comes last
                day, year = numbers
            return year, month, day
        raise _Bad(Problem.of("RECORDED_DATE_INVALID"))
    if len(numbers) == 3:
        if len(numbers[0]) == 4:  # 2024/3/15
            return numbers[0], numbers[1], numbers[2]
        return numbers[2], numbers[1], numbers[0]  # day/month/year, the region's order
    if len(numbers) == 2 and len(numbers[1]) == 4:  # 3/2024
        return numbers[1], numbers[0], None
    if len(numbers) == 1 and len(numbers[0]) == 4:
        return numbers[0], None, None
    raise _Bad(Problem.of("RECORDED_DATE_INVALID"))


def _resolve_year(text: str, lang: str, era: str | None, today: date, problems: list[Problem],
                  month: int | None = None, day: int | None = None) -> tuple[int, bool]:
    """Year text → CE year; Buddhist Era (or Myanmar Era) converted by the calendar of ``lang``, the rule applied
    named in a problem where it is not the Thai one of a Thai form (see :mod:`.calendars`)."""
    value = int(text)
    if len(text) == 2:
        if lang == "th" or era == "BE":  # "15 มี.ค. 67", "15/3/67 ព.ស.": 25yy in the language's calendar
            be_year = 2500 + value
            ce, found = to_ce(buddhist_calendar(lang) or THAI, be_year, month, day, "DATE_BE_CONVERTED")
            alt = 2000 + value
            if era is None and alt <= today.year:
                problems.append(Problem.of("DATE_TWO_DIGIT_YEAR_AMBIGUOUS", yy=text, be=be_year, ce=ce, alt=alt))
            else:
                problems.extend(found)
            return ce, True
        return (2000 + value if 2000 + value <= today.year else 1900 + value), False
    if len(text) != 4:
        raise _Bad(Problem.of("RECORDED_DATE_INVALID"))
    if era == "ME":
        if value >= BE_THRESHOLD:
            raise _Bad(Problem.of("DATE_ERA_CONFLICT", year=value, era="ME"))
        ce, found = to_ce(MYANMAR_ERA, value, month, day, "DATE_MYANMAR_ERA_CONVERTED")
        problems.extend(found)
        return ce, False
    if era == "CE" and value >= BE_THRESHOLD:
        raise _Bad(Problem.of("DATE_ERA_CONFLICT", year=value, era="CE"))
    if era == "BE" and value < BE_THRESHOLD:
        raise _Bad(Problem.of("DATE_ERA_CONFLICT", year=value, era="BE"))
    if value < BE_THRESHOLD:
        return value, False
    calendar = buddhist_calendar(lang)
    if calendar is None:  # en, vi: no Buddhist calendar of their own; the Thai rule, warned
        ce, _ = to_ce(THAI, value, month, day, "")
        if era is None:
            problems.append(Problem.of("DATE_LOOKS_BUDDHIST_ERA", year=value, ce=ce, rule=Phrase(THAI.rule)))
        return ce, True
    ce, found = to_ce(calendar, value, month, day, "DATE_BE_CONVERTED")
    problems.extend(found)
    return ce, True


def _iso(year: int, month: int | None, day: int | None) -> str:
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise _Bad(Problem.of("DATE_IMPOSSIBLE", day=day, month=month, year=year)) from None


def _first_day(iso: str) -> date:
    parts = [int(p) for p in iso.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
