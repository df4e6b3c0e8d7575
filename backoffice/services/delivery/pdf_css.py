"""The invoice template's stylesheet parsed once per process, not once per PDF.

xhtml2pdf parses every <style> block of every document, and its own default stylesheet, into
rule sets (~3 % of a 30-line invoice). A block without at-rules parses to the same rules for
every document and touches nothing else, so it is parsed once: at-rules (@page, @frame,
@font-face, @import) act on the document being built (its page templates, frames and fonts)
and stay parsed per document. templates/pdf/_style.html keeps its @page in a block of its
own for this.
"""

import functools

from xhtml2pdf.context import pisaContext, pisaCSSBuilder, pisaCSSParser

MEDIA = ["all", "print", "pdf"]  # what pisaContext.parseCSS builds its parser for


class StyleCachingContext(pisaContext):
    """xhtml2pdf's document context, reusing the parse of at-rule-free style blocks."""

    def _parseCSSSource(self, text, sourceName):
        if "@" in text:
            return super()._parseCSSSource(text, sourceName)
        return _rules(text, self.cssParser.rootPath)


@functools.cache  # the rule sets are read, never changed: mergeStyles copies before updating
def _rules(text: str, root_path: str):
    """text's rule sets, as pisaContext.parseCSS's parser makes them."""
    parser = pisaCSSParser(pisaCSSBuilder(mediumSet=MEDIA))
    parser.rootPath = root_path
    return parser.parse(text)
