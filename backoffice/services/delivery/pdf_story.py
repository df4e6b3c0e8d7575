"""Take work out of xhtml2pdf's story before ReportLab lays it out: the same pages, less time.

The one place this project reaches into xhtml2pdf's and ReportLab's internals (their classes
and private attributes, not their code: nothing is patched). tests/services/test_pdf_story.py
fails if either library stops making what is taken apart here, and test_pdf_one_pass.py that
the pages still look exactly as the renderer before drew them.

- **Text cells.** xhtml2pdf puts every table cell's content in a KeepInFrame, which shrinks it
  when it overflows. For a cell holding nothing but paragraphs that never happens: it
  measures them as at most the width on offer (a long word runs over, shrunk or not), and no
  cell of ours is taller than a page (a line's text is at most 1,000 characters). The wrapper
  only costs: each measurement deep-copies the frame, and drawing measures its content once
  more. A 30-line invoice has ~280 such cells; handing ReportLab their paragraphs as a list
  saves ~11 % of a render.
- **Frame boundaries.** xhtml2pdf gives each frame a falsy `ShowBoundaryValue` when no border
  is asked for, and ReportLab deep-copies the frame for every cell it measures; copying that
  object goes through `copy`'s generic path, ~4 % of a render. `0` says the same, for nothing.
"""

from collections.abc import Iterable

from reportlab.platypus import Flowable, KeepTogether
from reportlab.platypus.tables import CellStyle
from xhtml2pdf.context import pisaContext
from xhtml2pdf.xhtml2pdf_reportlab import PmlKeepInFrame, PmlParagraph, PmlTable


def lighten(context: pisaContext) -> None:
    """Make the story of a parsed document cheaper to lay out, drawing the same pages."""
    for template in context.templateList.values():
        for frame in [*template.frames, *getattr(template, "pisaStaticList", ())]:
            if not frame.showBoundary:
                frame.showBoundary = 0
    for table in _tables(context.story):
        table._cellvalues = [
            [_unwrapped(cell, style) for cell, style in zip(cells, styles, strict=True)]
            for cells, styles in zip(table._cellvalues, table._cellStyles, strict=True)
        ]


def _tables(flowables: Iterable[Flowable]) -> Iterable[PmlTable]:
    """Every PmlTable in flowables, nested ones (in cells, in wrappers) included."""
    for flowable in flowables:
        if isinstance(flowable, PmlTable):
            yield flowable
            for row in flowable._cellvalues:
                for cell in row:
                    yield from _tables(cell if isinstance(cell, list | tuple) else [cell])
        elif isinstance(flowable, KeepTogether | PmlKeepInFrame):
            yield from _tables(flowable._content)


def _unwrapped(cell: object, style: CellStyle) -> object:
    """A text cell's paragraphs as a list, which ReportLab lays out in the cell itself;
    anything else (images, nested tables, flowing cells) as it was.

    Only in a left-aligned cell (xhtml2pdf aligns text inside the paragraph and leaves every
    cell so): there the paragraphs start at the padding whatever width they measure, while
    a KeepInFrame measures them as at most the cell's width."""
    if (
        style.alignment == "LEFT"
        and type(cell) is PmlKeepInFrame
        and cell.mode == "shrink"
        and cell._content
        and all(type(flowable) is PmlParagraph for flowable in cell._content)
    ):
        return list(cell._content)
    return cell
