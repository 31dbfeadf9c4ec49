"""Flag codes raised by the value parsers (numbers, dates, coordinates, datums, text).

Registered in the project-wide registry (:func:`occurrences.flags.define`) on import; messages are English
msgids with ``{named}`` parameters filled from :class:`~occurrences.parse.result.Problem` params.
Codes follow GBIF's OccurrenceIssue names where GBIF has one.
"""
from __future__ import annotations

from ..flags import ERROR, INFO, WARNING, define
from ..i18n import N_

KNOWN_DATUMS_TEXT = "WGS84, Indian 1954, Indian 1960, Indian 1975, Kalianpur 1937, Kalianpur 1962, Kalianpur 1975, VN-2000"

# Numbers
define("NUMBER_INVALID", ERROR,
       N_("Field {field}: {value!r} is not a number. Write digits with at most one decimal separator, for example 12.5."),
       "A number could not be read.", "Correct the number.")
define("NUMBER_SEPARATOR_AMBIGUOUS", ERROR,
       N_("Field {field}: in {value!r} the '{separator}' can be a decimal or a thousands separator. Write {as_decimal} or {as_whole}."),
       "A number whose only separator may be read two ways (e.g. 1.234 in Vietnamese).", "Write the number unambiguously.")
define("NUMBER_NOT_WHOLE", ERROR, N_("Field {field}: {value!r} must be a whole number."),
       "A count or other whole number has decimals.", "Write a whole number.")

# Coordinates
define("COORDINATE_SEPARATORS", ERROR,
       N_("Coordinate {value!r} has more than one separator. Coordinates have no thousands separators: write decimal degrees with one decimal point or comma, for example 13.7563."),
       "A coordinate with grouping separators or several decimal separators.", "Write decimal degrees.")
define("COORDINATE_MINUTES_SECONDS_INVALID", ERROR,
       N_("Coordinate {value!r}: minutes and seconds must be less than 60, and only the last part may have decimals."),
       "Minutes or seconds of 60 or more, or decimals before the last part.", "Correct the minutes and seconds.")
define("COORDINATE_HEMISPHERE_CONFLICT", ERROR,
       N_("Coordinate {value!r} has both a minus sign and a hemisphere, or two hemispheres. Use one of them."),
       "Sign and hemisphere letter together, or two hemisphere letters.", "Keep one.")
define("COORDINATE_HEMISPHERE_MISMATCH", ERROR,
       N_("Coordinate {value!r} in {field} has the hemisphere {hemisphere}, which belongs to the other axis. Check that latitude and longitude are not swapped."),
       "A latitude with E/W or a longitude with N/S.", "Swap or correct the values.")
define("COORDINATE_HEMISPHERE_AMBIGUOUS", ERROR,
       N_("Coordinate {value!r}: in Vietnamese N can mean North or Nam (South). Write the longitude with Đ/T (then N means Nam), write Bắc or Nam in full, or leave the letter out (north is positive)."),
       "Vietnamese form: a latitude with only the letter N.", "Write the hemisphere unambiguously.")
# COORDINATE_INCOMPLETE (one of latitude/longitude missing) is defined with the quality checks; the parsers
# raise it too, so its definition is loaded with theirs.
from ..quality import definitions as _quality_definitions  # noqa: E402,F401
define("UTM_INVALID", ERROR,
       N_("{value!r} is not a UTM position we can read. Write the zone and latitude band, then easting and northing in metres, for example 47P 812345 1598765."),
       "verbatimCoordinates looks like UTM but cannot be read.", "Write zone, band, easting, northing.")
define("UTM_ZONE_UNSUPPORTED", ERROR,
       N_("UTM zone {zone} in {value!r} is outside the region (zones 46 to 49). Check the zone."),
       "A UTM zone outside 46–49.", "Check the zone.", threshold="zones 46–49")
define("UTM_BAND_MISMATCH", ERROR,
       N_("UTM band {band} in {value!r} does not match the latitude {lat} the easting and northing give. Check the band letter and the northing."),
       "The latitude band letter disagrees with the northing.", "Check band and northing.")
define("VERBATIM_COORDINATES_INVALID", ERROR,
       N_("verbatimCoordinates {value!r} cannot be read. Write latitude and longitude (for example 13.7563, 100.5018 or 13°45'22\"N 100°30'06\"E) or UTM (for example 47P 812345 1598765)."),
       "verbatimCoordinates in no known shape.", "Rewrite the coordinates.")

# Datums (GBIF names and severities)
define("GEODETIC_DATUM_INVALID", WARNING,
       N_("geodeticDatum {value!r} is not a datum we know, so the coordinates were kept as given (as WGS84). Use one of: {known}."),
       "geodeticDatum is not a known datum; coordinates kept unconverted.", "Use a listed datum.")
define("GEODETIC_DATUM_ASSUMED_WGS84", INFO, N_("geodeticDatum is empty; WGS84 was assumed."),
       "No datum given; WGS84 assumed.", "Fill in geodeticDatum.")
define("COORDINATE_REPROJECTED", INFO, N_("The coordinates were converted from {datum} to WGS84."),
       "Coordinates converted from a regional datum to WGS84; the original kept.")
define("COORDINATE_REPROJECTION_SUSPICIOUS", WARNING,
       N_("Converting from {datum} to WGS84 moved the point by {shift}°, more than 0.1°. Check the datum."),
       "The datum conversion moved the point by more than 0.1°.", "Check the datum.", threshold="0.1°")
define("COORDINATE_REPROJECTION_FAILED", WARNING,
       N_("The coordinates could not be converted from {datum} to WGS84 here; they were kept as given."),
       "No datum transformation is available for this place; coordinates kept.")

# Dates
define("DATE_DAY_MONTH_ORDER", ERROR,
       N_("The date {value!r} has month {month}, which does not exist. Write dates as day/month/year (15/3/2024) or as 2024-03-15."),
       "Month above 12: probably month/day/year.", "Write day/month/year or ISO.")
define("DATE_IMPOSSIBLE", ERROR, N_("The date {value!r} does not exist (day {day}, month {month}, year {year})."),
       "Day or month out of range.", "Correct the date.")
define("DATE_ERA_CONFLICT", ERROR,
       N_("The date {value!r} marks the year {year} as {era}, which cannot be right. Check the year and the era (พ.ศ. = Buddhist Era, ค.ศ. = CE)."),
       "Era marker contradicts the year (e.g. ค.ศ. 2567).", "Correct the year or the marker.")
define("DATE_LOOKS_BUDDHIST_ERA", WARNING,
       N_("The year {year} in {value!r} looks like a Buddhist Era year; it was read as {ce} ({rule}). Check the date."),
       "A year above 2400 in an English or Vietnamese form, read as Buddhist Era by the Thai rule.", "Check the year.",
       threshold="year ≥ 2400")
define("DATE_TWO_DIGIT_YEAR_AMBIGUOUS", WARNING,
       N_("The two-digit year {yy} in {value!r} was read as Buddhist Era {be} ({ce}). If you meant {alt}, write the year in full."),
       "A two-digit Thai year that could also be CE.", "Write four-digit years.")
define("DATE_BE_CONVERTED", INFO, N_("The Buddhist Era year {year} was read as {ce} ({rule})."),
       "A Buddhist Era year converted to CE by the calendar of the form language (km, lo, my).")
define("DATE_MYANMAR_ERA_CONVERTED", INFO, N_("The Myanmar Era year {year} was read as {ce} ({rule})."),
       "A Myanmar Era (ME) year converted to CE.")
define("DATE_NEW_YEAR_AMBIGUOUS", WARNING,
       N_("The date {value!r} falls where the year {year} may change at the new year: it was read as {ce}, but it may be {alt} ({rule}). Check the date."),
       "A Buddhist or Myanmar Era date in the local new-year window (or without a day): two CE years are possible.",
       "Check the date; write it in CE (2024-04-15).")
define("RECORDED_DATE_OUT_OF_RANGE", ERROR,
       N_("The date {value!r} ({iso}) is in the future or before 1700. Check the year (Buddhist Era years are 543 more than CE years)."),
       "Date in the future or before 1700.", "Correct the year.", threshold="1700 ≤ year, date ≤ today")
define("DATE_EXCEL_SERIAL", WARNING,
       N_("{value!r} is an Excel date serial number; it was read as {iso}. Check the date: if the workbook used the 1904 date system (old Mac Excel), it is {alt}."),
       "A five-digit number in a date column, read as an Excel serial date (1900 system).",
       "Check the date; format the column as dates before saving.", threshold="10000 ≤ serial, date ≤ today")
define("DATE_EXCEL_SERIAL_WORKBOOK", WARNING,
       N_("{value!r} is an Excel date serial number; it was read as {iso} in the workbook's {system} date system. Check the date."),
       "A number in a date column of an XLSX file, read as a date in the workbook's own date system (1900 or 1904).",
       "Check the date; format the column as dates.", threshold="10000 ≤ serial, date ≤ today")
define("DATE_EXCEL_SERIAL_OUT_OF_RANGE", ERROR,
       N_("{value!r} looks like an Excel date serial number, but as a date ({iso}) it is in the future. Write the date as 2024-03-15 or day/month/year."),
       "An Excel serial number that gives a date in the future.", "Write the date out.")
define("DATE_INTERVAL_REVERSED", ERROR, N_("The date range {value!r} ends before it starts."),
       "Interval end before start.", "Swap the dates.")

# Text
define("TEXT_ZAWGYI_MIXED", ERROR,
       N_("{field} mixes Burmese words typed in Zawgyi with words typed in Unicode, so it cannot be converted safely. Retype the text in Unicode (Myanmar3/Pyidaungsu fonts)."),
       "Burmese text with some words clearly Zawgyi and others clearly Unicode (converting would garble the Unicode words).",
       "Retype the text in Unicode.")
define("TEXT_ZAWGYI_CONVERTED", WARNING,
       N_("{field} was typed in the Zawgyi encoding; it was converted to Unicode and the original kept. Check the text."),
       "Burmese text in Zawgyi converted to Unicode.", "Type in Unicode (Myanmar3/Pyidaungsu fonts).")
