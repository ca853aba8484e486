"""The date parsers of `provenance.dates`, one per dialect."""

from __future__ import annotations

import datetime as dt

from provenance.dates import calendar_date, metadata_date, page_date, utc_instant


def test_page_dates_as_pages_write_them() -> None:
    assert page_date("2024-05-01") == "2024-05-01"
    assert page_date("2024-05-01T10:30:00Z") == "2024-05-01T10:30:00+00:00"
    assert page_date("2024-05-01 10:30:00+0200") == "2024-05-01T10:30:00+02:00"
    assert page_date("2024-05-01T10:30:00.1234567Z") == "2024-05-01T10:30:00.123456+00:00"
    assert page_date("2024-05-01, updated later") == "2024-05-01"
    assert page_date("yesterday") is None and page_date(None) is None


def test_metadata_dates_as_exiftool_and_xmp_write_them() -> None:
    assert metadata_date("2004:06:21 23:37:53.06+0200") == "2004-06-21T23:37:53.06+02:00"
    assert metadata_date("2004-06") == "2004-06"
    assert metadata_date("0000:00:00 00:00:00") is None and metadata_date("June") is None


def test_calendar_dates_and_utc_instants() -> None:
    assert calendar_date("2024:07:31 10:00:00") == dt.date(2024, 7, 31)
    assert calendar_date("2024-02-30") is None and calendar_date("") is None
    assert utc_instant("2026-12-10T00:01:00+01:00") == dt.datetime(2026, 12, 9, 23, 1, tzinfo=dt.timezone.utc)
    assert utc_instant("2026-12-10") == dt.datetime(2026, 12, 10, tzinfo=dt.timezone.utc)
    assert utc_instant("soon") is None and utc_instant(None) is None
