"""The large database's customers: kinds of customer, names, addresses and valid VAT ids."""

import json
import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from stdnum import luhn
from stdnum.at import uid
from stdnum.iso7064 import mod_11_10

from backoffice.services.invoicing.lifecycle import BUYER_FIELDS

NULL = "\\N"


@dataclass(frozen=True)
class Profile:
    """A kind of customer: where they are, what they pay in, how their lines are taxed.

    rate_keys name demo_data.tax_rates() entries, weighted by repetition; "product" is the
    product's own rate (19 or 7 %). Reverse charge (0) goes only to EU customers, who all have
    a VAT id, as issuing requires.
    """

    country: str
    currency: str
    language: str
    rate_keys: tuple[int | str, ...]
    forms: tuple[str, ...]
    cities: tuple[tuple[str, str], ...]
    vat_share: float
    weight: int


EXPORT = ("export", "export", "export", "product")
PROFILES = {
    "domestic": Profile(
        "DE", "EUR", "de", ("product",), ("GmbH", "AG", "KG", "GmbH & Co. KG", "e.K."),
        (("Berlin", "10117"), ("München", "80331"), ("Hamburg", "20095"), ("Köln", "50667")),
        0.8, 60,
    ),
    "austria": Profile(
        "AT", "EUR", "de", (0,), ("GmbH", "AG", "OG"),
        (("Wien", "1010"), ("Graz", "8010"), ("Linz", "4020")), 1.0, 8,
    ),
    "france": Profile(
        "FR", "EUR", "fr", (0,), ("SARL", "SAS", "SA"),
        (("Paris", "75001"), ("Lyon", "69001"), ("Lille", "59000")), 1.0, 7,
    ),
    "switzerland": Profile(
        "CH", "CHF", "de", EXPORT, ("AG", "GmbH", "SA"),
        (("Zürich", "8001"), ("Basel", "4051"), ("Genève", "1201")), 0.0, 8,
    ),
    "uk": Profile(
        "GB", "GBP", "en", EXPORT, ("Ltd", "PLC", "LLP"),
        (("London", "EC1A 1BB"), ("Manchester", "M1 1AE"), ("Leeds", "LS1 4DY")), 0.0, 7,
    ),
    "us": Profile(
        "US", "USD", "en", EXPORT, ("Inc.", "LLC", "Corp."),
        (("New York", "10001"), ("Austin", "73301"), ("Seattle", "98101")), 0.0, 6,
    ),
    "japan": Profile(
        "JP", "JPY", "en", EXPORT, ("K.K.", "G.K."),
        (("Tokyo", "100-0001"), ("Osaka", "530-0001"), ("Kyoto", "600-8001")), 0.0, 3,
    ),
    "bahrain": Profile(
        "BH", "BHD", "en", EXPORT, ("W.L.L.", "B.S.C."), (("Manama", "317"),), 0.0, 1,
    ),
}  # fmt: skip
STEMS = (
    "Nord",
    "Süd",
    "Ost",
    "West",
    "Alpen",
    "Rhein",
    "Elbe",
    "Berg",
    "Stern",
    "Blau",
    "Grün",
    "Silber",
    "Gold",
    "Eisen",
    "Wald",
    "See",
    "Sonnen",
    "Licht",
    "Wolken",
    "Stahl",
    "Kristall",
    "Falken",
    "Adler",
    "Linden",
)
ENDINGS = (
    "werk",
    "haus",
    "technik",
    "logistik",
    "handel",
    "bau",
    "soft",
    "data",
    "med",
    "energie",
    "wind",
    "feld",
    "tor",
    "mark",
    "punkt",
    "quelle",
    "brücke",
    "hafen",
    "garten",
    "systeme",
)
FAMILIES = (
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Dubois",
    "Lefèvre",
    "Kowalski",
    "Nowak",
    "Łukasiewicz",
    "Smith",
    "Johnson",
    "Tanaka",
    "Suzuki",
    "Rossi",
    "García",
    "Nielsen",
    "Papadopoulos",
    "Øster",
)
STREETS = (
    "Hauptstraße",
    "Bahnhofstraße",
    "Lindenallee",
    "Rue de la Paix",
    "High Street",
    "Market Street",
    "Via Roma",
    "Industriestraße",
    "Hafenweg",
    "Park Avenue",
)


class CustomerRef(NamedTuple):
    """What an invoice needs of its customer."""

    id: int
    company_id: int
    profile: str
    currency: str
    terms_days: int
    buyer_details: str  # JSON, escaped for COPY


def copy_text(value: str) -> str:
    """Escape a value for COPY's text format."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters only, for email domains."""
    decomposed = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(char for char in decomposed.lower() if char.isalnum())


def vat_id(country: str, rng: random.Random) -> str:
    """A VAT id whose checksum the app's validation (python-stdnum) accepts."""
    if country == "DE":
        body = str(rng.randrange(10**7, 10**8))
        return f"DE{body}{mod_11_10.calc_check_digit(body)}"
    if country == "AT":
        body = f"U{rng.randrange(10**6, 10**7)}"
        return f"AT{body}{uid.calc_check_digit(body)}"
    siren = str(rng.randrange(10**7, 10**8))
    siren += luhn.calc_check_digit(siren)
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def customer(customer_id: int, profile: Profile, rng: random.Random) -> dict[str, str | None]:
    """A customer's own columns."""
    stem, ending = rng.choice(STEMS), rng.choice(ENDINGS)
    city, postal_code = rng.choice(profile.cities)
    return {
        "name": f"{stem}{ending} {rng.choice(FAMILIES)} {rng.choice(profile.forms)}",
        "address": f"{rng.choice(STREETS)} {rng.randint(1, 240)}",
        "postal_code": postal_code,
        "city": city,
        "country": profile.country,
        "email": f"invoices.{customer_id}@{ascii_slug(stem + ending)}.example",
        "vat_id": vat_id(profile.country, rng) if rng.random() < profile.vat_share else None,
        "currency": profile.currency,
        "language": profile.language,
    }


CUSTOMER_COLUMNS = (
    "id, company_id, name, address, postal_code, city, country, email, vat_id, currency, "
    "language, payment_terms_days, einvoice_format, created_at, updated_at"
)


def customer_rows(
    ranges: dict[int, range], before: date, rng: random.Random
) -> tuple[list[str], list[CustomerRef]]:
    """Customers of each company (ids in its range), as COPY rows and as references."""
    names, weights = list(PROFILES), [profile.weight for profile in PROFILES.values()]
    rows, refs = [], []
    for company_id, ids in ranges.items():
        for customer_id in ids:
            profile_name = rng.choices(names, weights)[0]
            columns = customer(customer_id, PROFILES[profile_name], rng)
            terms = rng.choice((14, 30, 30, 30, 45, 60))
            created = before - timedelta(days=rng.randint(1, 400))
            values = [optional_text(value) for value in columns.values()]
            rows.append(
                f"{customer_id}\t{company_id}\t" + "\t".join(values) + f"\t{terms}\t"
                f"{rng.choices(('none', 'facturx', 'ubl'), (80, 12, 8))[0]}\t"
                f"{created} 09:00:00+00\t{created} 09:00:00+00\n"
            )
            buyer = copy_text(json.dumps({name: columns[name] for name in BUYER_FIELDS}))
            refs.append(
                CustomerRef(
                    customer_id, company_id, profile_name, columns["currency"], terms, buyer
                )
            )
    return rows, refs


def optional_text(value: str | None) -> str:
    return NULL if value is None else copy_text(value)
