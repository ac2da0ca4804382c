"""English date formats: one date and one date-time format everywhere ("4 Dec 2026",
"4 Dec 2026, 14:05"). Django reads this through FORMAT_MODULE_PATH; templates use the names
(`|date:"DATE_FORMAT"`), never their own patterns."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
