"""What pdf_story takes apart is what xhtml2pdf and ReportLab still make: if an upgrade changes
how a table cell is wrapped or measured, these fail before an invoice looks different."""

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus.flowables import KeepInFrame
from xhtml2pdf.context import pisaContext
from xhtml2pdf.document import pisaStory
from xhtml2pdf.xhtml2pdf_reportlab import PmlKeepInFrame, PmlParagraph, PmlTable

from backoffice.services.delivery import pdf
from backoffice.services.delivery.pdf_story import lighten

DOCUMENT = """<html><head><style>
  @page { margin: 2cm; @frame footer { -pdf-frame-content: footer; bottom: 1cm; height: 1cm; } }
  td.narrow { width: 10%; }
</style></head><body>
<div id="footer"><table><tr><td>Footer</td></tr></table></div>
<div style="page-break-inside: avoid"><table repeat="1">
  <tr><th>Description</th><th>Amount</th></tr>
  <tr><td>One <b>bold</b> word</td><td class="narrow">1,000,000,000,000.00</td></tr>
  <tr><td><table><tr><td>nested</td></tr></table></td><td><img src="missing.png"/></td></tr>
</table></div>
</body></html>"""


def parsed() -> pisaContext:
    context = pisaContext(str(pdf.ASSETS_DIR / pdf.DOCUMENT_PATH_NAME))
    return pisaStory(DOCUMENT, context.pathDirectory, encoding="utf-8", context=context)


def outer_table(context: pisaContext) -> PmlTable:
    (keep,) = context.story
    (table,) = keep._content
    assert isinstance(table, PmlTable)
    return table


def test_xhtml2pdf_wraps_each_text_cell_in_a_shrinking_keep_in_frame():
    table = outer_table(parsed())

    for cell in [*table._cellvalues[0], *table._cellvalues[1]]:
        assert type(cell) is PmlKeepInFrame
        assert cell.mode == "shrink"
        assert cell._content
        assert all(type(flowable) is PmlParagraph for flowable in cell._content)


def test_text_cells_become_their_paragraphs_and_the_rest_stays_wrapped():
    context = parsed()
    table = outer_table(context)
    before = [[cell for cell in row] for row in table._cellvalues]

    lighten(context)

    for row_before, row_after in zip(before[:2], table._cellvalues[:2], strict=True):
        for was, now in zip(row_before, row_after, strict=True):
            assert now == was._content
    nested_cell, image_cell = table._cellvalues[2]
    assert nested_cell is before[2][0]  # a flowing cell holding a table
    (nested,) = [f for f in nested_cell._content if isinstance(f, PmlTable)]
    assert isinstance(nested._cellvalues[0][0], list)  # its text cell is unwrapped too
    assert image_cell is before[2][1]


def test_frames_without_a_border_get_a_plain_zero_boundary():
    context = parsed()
    frames = [
        frame
        for template in context.templateList.values()
        for frame in [*template.frames, *template.pisaStaticList]
    ]
    assert len(frames) == 2
    assert all(not frame.showBoundary and frame.showBoundary != 0 for frame in frames)

    lighten(context)

    assert all(frame.showBoundary == 0 for frame in frames)


def test_a_text_cell_is_never_shrunk_and_always_placed_at_its_left_padding():
    """Why a text cell needs no KeepInFrame: it would shrink content wider than the cell, but
    it measures its paragraphs as at most the width on offer (a longer word runs over, shrunk
    or not); and ReportLab places a cell's content by the cell's alignment, which xhtml2pdf
    leaves LEFT (text is aligned inside the paragraph), so how wide the paragraphs measure
    never moves them."""
    table = outer_table(parsed())
    cell = table._cellvalues[1][1]
    width = 20.0
    cell.canv = Canvas(None)

    assert cell._content[0].wrapOn(cell.canv, width, 1000)[0] > width  # the word runs over
    assert KeepInFrame.wrap(cell, width, 1000)[0] <= width
    assert getattr(cell, "_scale", 1.0) == 1.0
    assert {style.alignment for row in table._cellStyles for style in row} == {"LEFT"}
