"""Buddhist Era and Myanmar Era years → CE, by the calendar of the submitter's language.

Facts and sources: shared/reference/field_truth.md §1.
- th: CE = BE − 543 all year (new year 1 January since 1941).
- km: BE year changes at Visak Bochea (1 waning Pisakh, early to late May; momentkh): CE = BE − 544 after it,
  BE − 543 before.
- my: the Sasana year changes with the Myanmar year at Thingyan (mid-April; mmcal): CE = BE − 544 after, − 543
  before. Myanmar Era: CE = ME + 638 after, ME + 639 before.
- lo: BE year changes at Lao New Year (mid-April; 2556 began 16 April 2013, a blog source): CE = BE − 543 after,
  − 542 before.
The new year falls on a lunar date or a festival of several days, so a day inside the window (or a date without a
day whose month contains it, or a bare year) is read with the rule of a typical year and warned with both
candidate years.

Which calendar: the script of the cell if it has letters (a Lao ພ.ສ. in a Thai form is Lao), else the language of
the submission (the form language). The country is not used: the parser runs before the country is read, and a
team writes the calendar of its own language wherever it works (a Thai team surveying in Laos writes Thai BE).
English and Vietnamese have no Buddhist calendar: a BE year there is read by the Thai rule, the region's only
civil BE calendar, and warned.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..flags import Phrase
from ..i18n import N_
from .result import Problem


@dataclass(frozen=True)
class Calendar:
    after: int  # CE = year − after, from the new year on
    before: int  # CE = year − before, from 1 January to the new year
    window: tuple[tuple[int, int], tuple[int, int]] | None  # (month, day) first and last days the year may change
    typical: tuple[int, int] | None  # the usual day it changes: dates before it take ``before``
    rule: str  # English msgid, shown in the messages


THAI = Calendar(543, 543, None, None, N_("Thai calendar: CE = BE − 543"))
BUDDHIST = {
    "th": THAI,
    "km": Calendar(544, 543, ((4, 25), (5, 31)), (5, 15),
                   N_("Cambodian calendar: CE = BE − 544 from Visak Bochea (May), BE − 543 before it")),
    "my": Calendar(544, 543, ((4, 13), (4, 17)), (4, 16),
                   N_("Myanmar calendar: CE = BE − 544 from Thingyan (mid-April), BE − 543 before it")),
    "lo": Calendar(543, 542, ((4, 13), (4, 17)), (4, 16),
                   N_("Lao calendar: CE = BE − 543 from Lao New Year (mid-April), BE − 542 before it")),
}
MYANMAR_ERA = Calendar(-638, -639, ((4, 13), (4, 17)), (4, 16),
                       N_("Myanmar Era: CE = ME + 638 from Thingyan (mid-April), ME + 639 before it"))


def buddhist_calendar(lang: str) -> Calendar | None:
    """The Buddhist calendar of a language; None where BE is not the language's own (en, vi)."""
    return BUDDHIST.get(lang)


def to_ce(cal: Calendar, year: int, month: int | None, day: int | None, code: str) -> tuple[int, list[Problem]]:
    """A year of ``cal`` → CE, with the rule applied named in a problem (``code``), or a warning naming both
    candidate years when the date falls where the year may change."""
    if cal.window is None:
        return year - cal.after, []
    ambiguous, after = _position(cal, month, day)
    ce, alt = (year - cal.after, year - cal.before) if after else (year - cal.before, year - cal.after)
    if ambiguous:
        return ce, [Problem.of("DATE_NEW_YEAR_AMBIGUOUS", year=year, ce=ce, alt=alt, rule=Phrase(cal.rule))]
    return ce, [Problem.of(code, year=year, ce=ce, rule=Phrase(cal.rule))]


def _position(cal: Calendar, month: int | None, day: int | None) -> tuple[bool, bool]:
    """(may the year change on this date?, is it read as after the new year?)."""
    (first, last), typical = cal.window, cal.typical
    if month is None:  # a bare year: most of it follows the new year
        return True, True
    if day is None:  # a month: ambiguous if the window touches it
        touches = first[0] <= month <= last[0]
        return touches, (month, 31) >= typical if touches else (month, 1) > last
    return first <= (month, day) <= last, (month, day) >= typical
