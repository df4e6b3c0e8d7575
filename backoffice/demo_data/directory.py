"""Who the demo companies are, what they sell, and to whom: each customer a distinct business
with its own country, currency, language and way of paying."""

from dataclasses import dataclass
from enum import StrEnum

from models import PaymentMethod


class Habit(StrEnum):
    """How a customer pays, which gives the aging report and the overdue list their shape."""

    PROMPT = "prompt"  # well before the due date
    LATE = "late"  # weeks after it
    INSTALMENTS = "instalments"  # a part on time, the rest late
    STALLED = "stalled"  # paid for a while, then stopped: the 90+ column


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    street: str
    postcode: str
    city: str
    country: str
    currency: str
    language: str
    email: str
    habit: Habit
    method: PaymentMethod
    weight: int  # relative share of the company's invoices
    vat_id: str | None = None
    terms_days: int = 30
    retainer: bool = False  # billed a support plan on the first of every month


@dataclass(frozen=True)
class DemoCompany:
    name: str
    fields: dict[str, str]
    products: tuple[tuple[str, str, str, str, int], ...]  # code, name, unit, price, rate
    customers: tuple[DemoCustomer, ...]


# Short names keep each customer on two lines of the tables below.
PR, LA, IN, ST = Habit.PROMPT, Habit.LATE, Habit.INSTALMENTS, Habit.STALLED
BANK, CARD = PaymentMethod.BANK_TRANSFER, PaymentMethod.CARD
DEBIT, CASH = PaymentMethod.DIRECT_DEBIT, PaymentMethod.CASH

NORDLICHT_FIELDS = {
    "address": "Friedrichstraße 68\n10117 Berlin\nGermany",
    "tax_id": "DE136695976",
    "registration_id": "HRB 123456 B",
    "email": "billing@nordlicht.example",
    "bank_name": "Berliner Volksbank",
    "iban": "DE89370400440532013000",
    "bic": "COBADEFFXXX",
}
# Also the large benchmark database's catalogue (bench/seed_large_reference.py).
PRODUCTS = (
    ("CONS-H", "Consulting hour", "hour", "120.00", 19),
    ("DEV-D", "Development day", "day", "880.00", 19),
    ("SUP-M", "Support plan, monthly", "month", "249.00", 19),
    ("TRAIN", "On-site training", "day", "1150.00", 19),
    ("BOOK", "Handbook (print)", "piece", "39.90", 7),
    ("EBOOK", "Handbook (e-book)", "piece", "24.90", 7),
)
NORDLICHT_PRODUCTS = (
    *PRODUCTS,
    ("HOST-M", "Managed hosting, monthly", "month", "189.00", 19),
    ("SEC-AUD", "Security audit", "day", "1240.00", 19),
    ("UX-WS", "UX workshop (half day)", "piece", "690.00", 19),
    ("LIC-Y", "Nordlicht Desk licence, yearly", "seat", "96.00", 19),
    ("ARCH-R", "Architecture review", "day", "1080.00", 19),
    ("MIGR", "Data migration package", "piece", "2400.00", 19),
)
NORDLICHT_CUSTOMERS = (
    # Names in Greek, Cyrillic and Polish letters keep the PDFs' fonts honest.
    DemoCustomer("Müller & Söhne AG", "Bahnhofstrasse 12", "8001", "Zürich", "CH", "CHF", "de",
                 "kreditoren@mueller-soehne.example", PR, BANK, 3),
    DemoCustomer("Łódź Logistyka Sp. z o.o.", "ul. Piotrkowska 104", "90-001", "Łódź", "PL",
                 "EUR", "en", "faktury@lodz-logistyka.example", IN, BANK, 3, "PL7251234561"),
    DemoCustomer("Ελληνικά Τρόφιμα Α.Ε.", "Οδός Ερμού 25", "105 63", "Αθήνα", "GR", "EUR",
                 "en", "logistirio@ellinika-trofima.example", LA, BANK, 2, "EL094512343"),
    DemoCustomer("ООО Северный Ветер", "ул. Тверская 7", "125009", "Москва", "RU", "EUR",
                 "en", "buh@severny-veter.example", ST, BANK, 1),
    DemoCustomer("Brasserie Lumière SARL", "12 rue de Rivoli", "75001", "Paris", "FR", "EUR",
                 "fr", "compta@brasserie-lumiere.example", PR, CARD, 2, "FR40552100794"),
    DemoCustomer("Kyoto Precision K.K.", "1-2-3 Karasuma", "600-8001", "Kyoto", "JP", "JPY",
                 "en", "ap@kyoto-precision.example", PR, BANK, 2),
    DemoCustomer("Harbour & Finch Ltd", "4 Wharf Road", "N1 7GR", "London", "GB", "GBP", "en",
                 "accounts@harbourfinch.example", LA, BANK, 3, retainer=True),
    DemoCustomer("Pioneer Robotics Inc.", "500 Market Street", "94105", "San Francisco", "US",
                 "USD", "en", "payables@pioneer-robotics.example", PR, CARD, 3),
    DemoCustomer("Hafenkontor Logistik GmbH", "Am Sandtorkai 41", "20457", "Hamburg", "DE",
                 "EUR", "de", "rechnungen@hafenkontor.example", PR, DEBIT, 5, retainer=True),
    DemoCustomer("Bäckerei Krume & Korn KG", "Kastanienallee 9", "10435", "Berlin", "DE", "EUR",
                 "de", "buero@krume-korn.example", PR, DEBIT, 1, terms_days=14),
    DemoCustomer("Stadtwerke Havelland GmbH", "Potsdamer Straße 3", "14641", "Nauen", "DE",
                 "EUR", "de", "eingangsrechnungen@sw-havelland.example", LA, BANK, 4,
                 terms_days=45, retainer=True),
    DemoCustomer("Kanzlei Brandt & Voss", "Königsallee 60", "40212", "Düsseldorf", "DE", "EUR",
                 "de", "buchhaltung@brandt-voss.example", PR, BANK, 2),
    DemoCustomer("Rheinland Solar GmbH", "Hohenzollernring 25", "50672", "Köln", "DE", "EUR",
                 "de", "kreditoren@rheinland-solar.example", IN, BANK, 4),
    DemoCustomer("Praxis Dr. Yilmaz", "Sonnenallee 112", "12045", "Berlin", "DE", "EUR", "de",
                 "praxis@dr-yilmaz.example", PR, CARD, 1, terms_days=14),
    DemoCustomer("Weingut Albrecht", "Weinstraße 14", "67146", "Deidesheim", "DE", "EUR", "de",
                 "rechnung@weingut-albrecht.example", LA, BANK, 1),
    DemoCustomer("Elbe Möbelwerk GmbH", "Großenhainer Straße 99", "01127", "Dresden", "DE",
                 "EUR", "de", "fibu@elbe-moebelwerk.example", ST, BANK, 2),
    DemoCustomer("Gasthaus Zum Löwen", "Marktplatz 3", "79098", "Freiburg", "DE", "EUR", "de",
                 "info@loewen-freiburg.example", IN, CASH, 1, terms_days=14),
    DemoCustomer("Nordsee Fisch Handels GmbH", "Fischkai 1", "27572", "Bremerhaven", "DE",
                 "EUR", "de", "rechnungswesen@nordsee-fisch.example", LA, BANK, 2),
    DemoCustomer("Bergmann Maschinenbau AG", "Industriestraße 40", "70565", "Stuttgart", "DE",
                 "EUR", "de", "kreditoren@bergmann-mb.example", PR, BANK, 4, terms_days=45),
    DemoCustomer("Verlag Tintenfass GmbH", "Gottschedstraße 12", "04109", "Leipzig", "DE", "EUR",
                 "de", "verwaltung@tintenfass-verlag.example", PR, BANK, 2),
    DemoCustomer("Kita Sonnenschein e.V.", "Lindenstraße 8", "30159", "Hannover", "DE", "EUR",
                 "de", "vorstand@kita-sonnenschein.example", PR, DEBIT, 1, terms_days=14),
    DemoCustomer("Autohaus Becker GmbH & Co. KG", "Frankfurter Landstraße 200", "61440",
                 "Oberursel", "DE", "EUR", "de", "buchhaltung@autohaus-becker.example", LA,
                 BANK, 2),
    DemoCustomer("Quartier Immobilien GmbH", "Maximilianstraße 30", "80539", "München", "DE",
                 "EUR", "de", "rechnungen@quartier-immo.example", IN, BANK, 3),
    DemoCustomer("Donau Software GmbH", "Mariahilfer Straße 88", "1070", "Wien", "AT", "EUR",
                 "de", "office@donau-software.example", PR, BANK, 3, "ATU12345675"),
    DemoCustomer("Tiroler Bergbahnen AG", "Innrain 15", "6020", "Innsbruck", "AT", "EUR", "de",
                 "buchhaltung@tiroler-bergbahnen.example", LA, BANK, 2, "ATU65028418"),
    DemoCustomer("Grachtenhuis Media B.V.", "Keizersgracht 221", "1016 DV", "Amsterdam", "NL",
                 "EUR", "en", "finance@grachtenhuis.example", PR, BANK, 3, "NL156039722B01"),
    DemoCustomer("Atelier Verhaeghe SRL", "Rue Neuve 45", "1000", "Bruxelles", "BE", "EUR",
                 "fr", "comptabilite@verhaeghe.example", LA, BANK, 1, "BE0403270174"),
    DemoCustomer("Studio Marrone S.r.l.", "Via Tortona 27", "20144", "Milano", "IT", "EUR",
                 "en", "amministrazione@studiomarrone.example", IN, BANK, 2, "IT02143580625"),
    DemoCustomer("Nordhavn Design ApS", "Sundkaj 9", "2150", "København", "DK", "EUR", "en",
                 "regnskab@nordhavn-design.example", PR, CARD, 1, "DK13258791"),
    DemoCustomer("Soluciones Ibéricas S.L.", "Calle de Alcalá 54", "28014", "Madrid", "ES",
                 "EUR", "en", "facturas@soluciones-ibericas.example", LA, BANK, 2, "ESB62345715"),
    DemoCustomer("Skärgård Analytics AB", "Sveavägen 20", "111 57", "Stockholm", "SE", "EUR",
                 "en", "ekonomi@skargard-analytics.example", PR, BANK, 2, "SE556036079301"),
    DemoCustomer("Uhrenmanufaktur Jura SA", "Rue du Progrès 9", "2300", "La Chaux-de-Fonds",
                 "CH", "CHF", "fr", "comptabilite@jura-horlogerie.example", LA, BANK, 1),
    DemoCustomer("Thames Valley Clinics Ltd", "12 Kings Road", "RG1 3AA", "Reading", "GB",
                 "GBP", "en", "finance@tvclinics.example", PR, DEBIT, 2),
    DemoCustomer("Lakeside Dental Group LLC", "880 Lake Shore Drive", "60611", "Chicago", "US",
                 "USD", "en", "billing@lakeside-dental.example", LA, BANK, 1),
    DemoCustomer("Maple Leaf Analytics Inc.", "200 Bay Street", "M5J 2J2", "Toronto", "CA",
                 "USD", "en", "ap@mapleleaf-analytics.example", PR, CARD, 2),
)  # fmt: skip

SUEDWIND_FIELDS = {
    "address": "Leopoldstraße 20\n80802 München\nGermany",
    "tax_id": "DE276453987",
    "registration_id": "HRB 654321",
    "email": "rechnung@suedwind.example",
    "bank_name": "Stadtsparkasse München",
    "iban": "DE02120300000000202051",
    "bic": "BYLADEM1001",
}
SUEDWIND_PRODUCTS = (
    ("CHAIR-E", "Office chair Ergo", "piece", "389.00", 19),
    ("DESK-HV", "Standing desk", "piece", "649.00", 19),
    ("LAMP-L", "Desk lamp", "piece", "79.00", 19),
    ("COFFEE", "Espresso beans, 1 kg", "kg", "18.90", 7),
    ("TEA", "Green tea, 500 g", "piece", "12.50", 7),
    ("FIT-H", "Delivery and assembly", "hour", "65.00", 19),
)
SUEDWIND_CUSTOMERS = (
    DemoCustomer("Café Milchbar GmbH", "Sendlinger Straße 7", "80331", "München", "DE", "EUR",
                 "de", "chef@cafe-milchbar.example", PR, CARD, 2, terms_days=14),
    DemoCustomer("Coworking Werkbank GmbH", "Provinostraße 52", "86153", "Augsburg", "DE",
                 "EUR", "de", "office@werkbank-coworking.example", IN, BANK, 3),
    DemoCustomer("Steuerbüro Huber & Partner", "Domplatz 4", "93047", "Regensburg", "DE", "EUR",
                 "de", "kanzlei@huber-partner.example", PR, DEBIT, 2),
    DemoCustomer("Gemeinde Unterföhring", "Münchner Straße 70", "85774", "Unterföhring", "DE",
                 "EUR", "de", "kaemmerei@unterfoehring.example", LA, BANK, 2, terms_days=45),
    DemoCustomer("Hotel Seeblick Tegernsee GmbH", "Seestraße 18", "83684", "Tegernsee", "DE",
                 "EUR", "de", "einkauf@seeblick-tegernsee.example", LA, BANK, 2),
    DemoCustomer("Brauhaus Giesing GmbH", "Martin-Luther-Straße 2", "81539", "München", "DE",
                 "EUR", "de", "verwaltung@brauhaus-giesing.example", ST, BANK, 1),
    DemoCustomer("Architekturbüro Lange", "Königstraße 93", "90402", "Nürnberg", "DE", "EUR",
                 "de", "buero@lange-architektur.example", PR, BANK, 1),
    DemoCustomer("Alpen Outdoor AG", "Limmatquai 30", "8001", "Zürich", "CH", "CHF", "de",
                 "kreditoren@alpen-outdoor.example", PR, BANK, 1),
)  # fmt: skip

COMPANIES = (
    DemoCompany(
        "Nordlicht Software GmbH", NORDLICHT_FIELDS, NORDLICHT_PRODUCTS, NORDLICHT_CUSTOMERS
    ),
    DemoCompany("Südwind Handel AG", SUEDWIND_FIELDS, SUEDWIND_PRODUCTS, SUEDWIND_CUSTOMERS),
)
