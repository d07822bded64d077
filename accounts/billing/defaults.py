"""The fee schedule the portal starts with: the published Crossref figures collected in
the deposit spec (section 10). Staff change them in the admin; loading again only adds
rows that are missing, so it never overwrites an edit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

FROM_2020 = date(2020, 1, 1)
FROM_2026 = date(2026, 1, 1)
D = Decimal

# (revenue tier, effective from, USD per year)
MEMBERSHIP_FEES = [
    ("lt_1k", FROM_2020, D("275.00")),
    ("lt_1k", FROM_2026, D("200.00")),  # the new tier for revenue at or under USD 999
    ("lt_1m", FROM_2020, D("275.00")),
    ("1m_5m", FROM_2020, D("550.00")),
    ("5m_10m", FROM_2020, D("1650.00")),
    ("10m_25m", FROM_2020, D("3900.00")),
    ("25m_50m", FROM_2020, D("8300.00")),
    ("50m_100m", FROM_2020, D("14000.00")),
    ("100m_200m", FROM_2020, D("22000.00")),
    ("200m_500m", FROM_2020, D("33000.00")),
    ("gt_500m", FROM_2020, D("50000.00")),
]

# Query affiliates by revenue (2016 schedule): under 1M 500, 1 to 10M 2,000, over 10M 10,000.
AFFILIATE_FEES = [
    (tier, date(2016, 1, 1), amount)
    for tiers, amount in [
        (("lt_1k", "lt_1m"), D("500.00")),
        (("1m_5m", "5m_10m"), D("2000.00")),
        (("10m_25m", "25m_50m", "50m_100m", "100m_200m", "200m_500m", "gt_500m"), D("10000.00")),
    ]
    for tier in tiers
]

# (REST API type, effective from, current, backfile, note)
_FULL = (D("1.00"), D("0.15"))
_PART = (D("0.25"), D("0.15"))
REGISTRATION_FEES = [
    *[
        (kind, FROM_2020, *_FULL, "")
        for kind in (
            "journal-article",
            "proceedings-article",
            "book",
            "monograph",
            "edited-book",
            "reference-book",
            "dissertation",
            "report",
            "standard",
        )
    ],
    *[
        (kind, FROM_2020, *_PART, "")
        for kind in ("book-chapter", "book-part", "book-section", "reference-entry")
    ],
    ("posted-content", FROM_2020, *_PART, "preprints"),
    ("peer-review", FROM_2020, D("0.25"), D("0.25"), ""),
    ("component", FROM_2020, D("0.06"), D("0.06"), ""),
    ("dataset", FROM_2020, D("0.06"), D("0.06"), "database records"),
    ("grant", FROM_2020, D("2.00"), D("0.30"), ""),
    ("grant", FROM_2026, D("1.00"), D("0.00"), "2026-2027 pilot: back-year grants free"),
    ("grant", date(2028, 1, 1), D("2.00"), D("0.30"), "pilot ends (assumed; check before 2028)"),
    ("other", FROM_2020, *_FULL, "every type without a row of its own"),
]

# Equitable-membership (GEM) countries, from Crossref's programme pages (programme began
# January 2023; Sri Lanka added March 2023). The published table we could read stops part
# way, so the list is incomplete: staff add the rest (and 2026's 18 new countries).
GEM_START = date(2023, 1, 1)
WAIVER_COUNTRIES = [
    *[
        (code, GEM_START)
        for code in (
            "AF BD BJ BT BF BI KH CF TD KM CD CI DJ ER ET GM GH GN GW GY HT HN KI "
            "MW MV ML MH MR FM MZ MM NP NI NE RW WS ST SN SL SB SO SS SD TJ TG"
        ).split()
    ],
    ("LK", date(2023, 3, 1)),
]


def fee_schedule_load(*, annual_fee, registration_fee, waiver_country) -> int:
    """Add the default rows that are missing; return how many were added. Takes the model
    classes so the data migration can pass its historical ones."""
    added = 0
    for category, rows in (("membership", MEMBERSHIP_FEES), ("affiliate", AFFILIATE_FEES)):
        for tier, effective_from, amount in rows:
            _, created = annual_fee.objects.get_or_create(
                category=category,
                revenue_tier=tier,
                effective_from=effective_from,
                defaults={"amount": amount, "note": "spec section 10"},
            )
            added += created
    for kind, effective_from, current, backfile, note in REGISTRATION_FEES:
        _, created = registration_fee.objects.get_or_create(
            content_type=kind,
            effective_from=effective_from,
            defaults={"current_amount": current, "backfile_amount": backfile, "note": note},
        )
        added += created
    for country, effective_from in WAIVER_COUNTRIES:
        _, created = waiver_country.objects.get_or_create(country=country, effective_from=effective_from)
        added += created
    return added
