"""The XLSX export holds money exactly, shown with its currency's minor units."""

import io
import re
import zipfile
from decimal import Decimal

from backoffice.services.reports.exports import to_xlsx
from backoffice.services.reports.tables import Cell, Table

D = Decimal


def _cells(workbook: bytes) -> dict[str, tuple[str, str | None]]:
    """Each cell of the first sheet: its stored text (numbers as written) and number format."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        styles = archive.read("xl/styles.xml").decode()
        shared = archive.read("xl/sharedStrings.xml").decode()
    codes = dict(re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', styles))
    xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S).group(1)
    number_formats = [codes.get(found) for found in re.findall(r'<xf numFmtId="(\d+)"', xfs)]
    strings = re.findall(r"<t[^>]*>(.*?)</t>", shared, re.S)
    cells = {}
    for ref, attrs, value in re.findall(r'<c r="([A-Z]+\d+)"([^>]*)><v>(.*?)</v></c>', sheet):
        style = re.search(r's="(\d+)"', attrs)
        text = strings[int(value)] if 't="s"' in attrs else value
        cells[ref] = (text, number_formats[int(style.group(1))] if style else None)
    return cells


def test_money_is_written_as_its_exact_decimal_with_the_currencys_decimals():
    table = Table("Money", ["EUR", "JPY", "BHD", "Count", "Huge"])
    # As a double, 662321656232.044 is written 662321656232.0439: the exact digits stay.
    table.add(
        Cell(D("662321656232.044"), None, "BHD"),
        Cell(D("1234567"), None, "JPY"),
        Cell(D("0.1005"), None, "BHD"),
        42,
        Cell(D("1234567890123456.78"), None, "EUR"),
    )
    table.add_total(Cell(D("-19.005"), None, "EUR"), None, None, 7, None)

    cells = _cells(to_xlsx(table))

    assert cells["A2"] == ("662321656232.044", "#,##0.000")
    assert cells["B2"] == ("1234567", "#,##0")
    assert cells["C2"] == ("0.101", "#,##0.000")  # rounded half-up to the minor unit
    assert cells["D2"] == ("42", None)
    # 18 digits: more than a spreadsheet's double holds, so text with every digit.
    assert cells["E2"] == ("1234567890123456.78", "#,##0.00")
    assert cells["A3"] == ("-19.01", "#,##0.00")  # half-up, away from zero
