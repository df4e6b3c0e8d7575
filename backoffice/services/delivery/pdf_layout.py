"""Lay an XHTML document out in one ReportLab pass, numbering its pages "n of m" at save.

xhtml2pdf's own `<pdf:pagecount>` makes ReportLab lay the whole document out twice: the first
pass only counts the pages. Here the count is never part of the layout. Every page shows a
form XObject named for its number, and the forms are written once the canvas knows how many
pages there are, when it saves (ReportLab resolves a form drawn before it is defined). The
label is right-aligned in its form, so how wide the count is never moves anything else.

What xhtml2pdf's pisaDocument does around the build is kept: the resource policy and the time
budget cover parsing and drawing, and the temporary files of resources are cleaned up. What it
adds that our documents never use (inserted PDFs, watermarks, PDF/X, signatures, encryption)
is left out, and so are left/right page pairs and a first page chosen by <pdf:nexttemplate>.
Unlike pisaDocument, xhtml2pdf's memoized lengths, colours and string widths are
kept between documents: ours always name the same fonts, and each cache is bounded.
"""

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.colors import HexColor
from reportlab.lib.fonts import addMapping, tt2ps
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from xhtml2pdf.builders.printmarks import MarkedCanvas
from xhtml2pdf.config.resources import ResourceAccessPolicy, render_budget, use_policy
from xhtml2pdf.context import pisaContext
from xhtml2pdf.default import DEFAULT_PAGE_NAME
from xhtml2pdf.document import pisaStory
from xhtml2pdf.files import cleanFiles
from xhtml2pdf.util import getBox
from xhtml2pdf.xhtml2pdf_reportlab import PmlBaseDoc, PmlFrame, PmlPageTemplate

from .pdf_css import StyleCachingContext
from .pdf_story import lighten


@dataclass(frozen=True)
class PageLabel:
    """What each page's "Page n of m" says and where: its right end and baseline, in points
    from the page's left and bottom edges."""

    text: str  # with {page} and {pages}
    font_family: str  # as the document's CSS names it
    font_size: float
    color: str
    right: float
    baseline: float


class PageLabelCanvas(MarkedCanvas):
    """A canvas that places each page's label as a form and fills the forms in at save, and
    makes the document ID a digest of what the pages draw."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.page_label: PageLabel | None = None
        self.label_font = ""

    def showPage(self) -> None:
        if self.page_label is not None:
            self.doForm(_form_name(self.getPageNumber()))
        # In invariant mode ReportLab derives the document ID from the title, author and
        # subject alone: every draft preview (no number in its title) would share one ID.
        self._doc.updateSignature("".join(self._code))
        super().showPage()

    def save(self) -> None:
        if self.page_label is not None:
            label = self.page_label
            pages = self.getPageNumber() - 1  # showPage has moved on to a page never drawn
            for page in range(1, pages + 1):
                self.beginForm(_form_name(page))
                self.setFont(self.label_font, label.font_size)
                self.setFillColor(HexColor(label.color))
                # In page coordinates: a form shows only what lies inside its box, the page.
                self.drawRightString(
                    label.right, label.baseline, label.text.format(page=page, pages=pages)
                )
                self.endForm()
        super().save()


def _form_name(page: int) -> str:
    return f"page-label-{page}"


class _OnePassDoc(PmlBaseDoc):
    """xhtml2pdf's document template, drawing on a PageLabelCanvas."""

    def __init__(self, *args, page_label: PageLabel | None, label_font: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.page_label = page_label
        self.label_font = label_font

    def _makeCanvas(self, filename=None, canvasmaker=None):  # noqa: ARG002 (always ours)
        canvas = super()._makeCanvas(filename=filename, canvasmaker=PageLabelCanvas)
        canvas.page_label = self.page_label
        canvas.label_font = self.label_font
        return canvas


def register_family(family: str, path: Path) -> str:
    """Make a TrueType file ReportLab's font for a CSS font-family, in every weight and style
    (as xhtml2pdf does for a @font-face); returns the name ReportLab knows it by.

    Once per process: reading a face takes ~10 ms, and a @font-face in the document would
    read and hash the file again for every PDF.
    """
    name = f"{family.lower()}_embedded"
    pdfmetrics.registerFont(TTFont(name, str(path)))
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(family.lower(), bold, italic, name)
    return name


def xhtml_to_pdf(
    html: str,
    path: str,
    policy: ResourceAccessPolicy,
    fonts: Mapping[str, str],
    page_label: PageLabel | None = None,
) -> bytes:
    """Convert XHTML to PDF bytes in one layout pass; path names the document, whose folder
    relative resources resolve against, and fonts maps the families its CSS may name to fonts
    from register_family. Raises what xhtml2pdf and ReportLab raise."""
    context = StyleCachingContext(path)
    context.resource_policy = policy
    for family, name in fonts.items():
        context.registerFont(family.lower(), [name])
    try:
        with use_policy(policy), render_budget(policy):
            pisaStory(html, path, encoding="utf-8", context=context)
            lighten(context)
            return _build(context, page_label)
    finally:
        # Resources read while rendering sit in temporary files until this runs.
        cleanFiles()


def _default_page(context: pisaContext) -> PmlPageTemplate:
    """xhtml2pdf's page for a document without an @page: 1 cm margins."""
    x, y, width, height = getBox("1cm 1cm -1cm -1cm", context.pageSize)
    frame = PmlFrame(
        x, y, width, height, id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0
    )
    return PmlPageTemplate(id=DEFAULT_PAGE_NAME, frames=[frame], pagesize=context.pageSize)


def _regular_face(context: pisaContext, family: str) -> str:
    """The ReportLab font drawing family's regular face in this document, so the label adds
    no font of its own to the PDF."""
    return tt2ps(context.getFontName(family), 0, 0)


def _build(context: pisaContext, page_label: PageLabel | None) -> bytes:
    out = io.BytesIO()
    doc = _OnePassDoc(
        out,
        page_label=page_label,
        label_font=_regular_face(context, page_label.font_family) if page_label else "",
        pagesize=context.pageSize,
        title=context.meta["title"].strip(),
        author=context.meta["author"].strip(),
        subject=context.meta["subject"].strip(),
        showBoundary=0,
        allowSplitting=1,
        lang=context.lang_tag or None,
    )
    # The unnamed @page comes first: the document starts on it.
    body = context.templateList.pop(DEFAULT_PAGE_NAME, None) or _default_page(context)
    templates = [body, *context.templateList.values()]
    if context.pageCanvasBackground is not None:  # body's background covers every page
        for template in templates:
            template.canvasBackground = context.pageCanvasBackground
    doc.addPageTemplates(templates)
    doc.pisaPositioned = context.positioned
    # A <pdf:toc> or <pdf:pagecount> still gets the passes it needs; our templates have none.
    build = doc.multiBuild if context.multiBuild else doc.build
    build(context.story)
    return out.getvalue()
