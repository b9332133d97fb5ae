"""A page decoded and parsed once, in the worker that reads it, for every stage that reads it.

The classifier (:func:`crawler.pages.read_page`) reads the tree first; extraction
(:func:`pipeline.extract.extract_post`) then takes it over (:meth:`ParsedPage.take_tree`),
removes its comments and goes on editing it, instead of decoding and parsing the page again.
The JSON-LD blocks are read once for the classifier's evidence and extraction's metadata.

The tree is the one parsel builds from the page's text (:class:`parsel.Selector`: lxml's HTML
parser, comments kept), with one difference: parsel strips the text's leading and trailing
white space first, and extraction's parse does not. Leading white space is dropped by the
parser either way; trailing white space ends up as text at the end of the document. It is
kept (extraction's tree must be its own parse, node for node), and no reading of the
classifier sees it: each collapses white space. Pages where the two parses could differ
otherwise (NUL characters, an XML declaration, a document past lxml's size limits, no text)
are parsed as parsel parses them and :attr:`ParsedPage.shared` is False: extraction parses
its own text, as it does when its decoding of the page differs from the reader's (a
byte-order mark, soft hyphens or characters it normalises).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import lxml.etree
import lxml.html
from lxml.html import HtmlElement
from parsel import Selector

# lxml's HTML parser as parsel configures it, within lxml's default limits (a document past
# them is parsed again as parsel does, with huge_tree, and not shared).
_PARSER_OPTIONS = {"recover": True, "encoding": "utf8", "huge_tree": False}
_COMMENT, _PI = lxml.etree.Comment, lxml.etree.ProcessingInstruction
_JSON_LD = lxml.etree.XPath("//script[@type='application/ld+json']")
# What json.loads skips around a document; str.strip() strips more (no-break spaces ...).
JSON_SPACE = " \t\n\r"
# What HTML's parser takes for white space.
HTML_SPACE = " \t\n\r\f"


@dataclass
class JsonLd:
    """One ``<script type="application/ld+json">`` block: its text and its JSON, once.

    ``data`` is ``json.loads`` of the text stripped of white space, or None when that is
    empty or not JSON (``error``).
    """

    raw: str
    data: Any = None
    error: bool = False

    @classmethod
    def read(cls, raw: str) -> JsonLd:
        """Parse one block's text."""
        block = cls(raw)
        stripped = raw.strip()
        if stripped:
            try:
                block.data = json.loads(stripped)
            except ValueError:
                block.error = True
        return block


@dataclass
class ParsedPage:
    """A page's text as decoded once and its lxml tree as parsed once (see the module)."""

    url: str
    body: bytes | str = field(repr=False)
    encoding: str
    text: str = field(repr=False)
    root: HtmlElement = field(repr=False)
    # Whether extraction may take this tree for its own (same text, same parse).
    shared: bool = True
    taken: bool = False
    _json_ld: list[JsonLd] | None = field(default=None, repr=False)
    _selector: Selector | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, url: str, body: bytes | str, encoding: str = "utf-8") -> ParsedPage:
        """Decode ``body`` (bytes) with ``encoding``, bad bytes replaced, and parse it."""
        encoding = encoding or "utf-8"
        text = body.decode(encoding, errors="replace") if isinstance(body, bytes) else body
        root = _parse(text)
        if root is None:  # parsed as parsel parses it, for the reader alone
            root = Selector(text=text or "<html></html>", type="html").root
            return cls(url, body, encoding, text, root, shared=False)
        return cls(url, body, encoding, text, root)

    def selector(self) -> Selector:
        """Return a parsel Selector on the tree (the reader's view)."""
        if self.taken:
            raise RuntimeError(f"{self.url}: the tree was handed to extraction")
        if self._selector is None:
            self._selector = Selector(root=self.root, type="html")
        return self._selector

    def json_ld(self) -> list[JsonLd]:
        """Return the page's JSON-LD blocks in document order, each parsed once."""
        if self._json_ld is None:
            self._json_ld = [JsonLd.read(script.text or "") for script in _JSON_LD(self.root)]
        return self._json_ld

    def take_tree(self, text: str) -> HtmlElement | None:
        """Hand the tree to extraction, whose decoding of the page gave ``text``; or None.

        None when extraction must parse its own text: it decoded the page differently, the
        page is one parsel parses differently, or the tree was handed over already.
        Afterwards the tree is extraction's to change; the reader must be done with it.
        """
        if not self.shared or self.taken or text != self.text or _outside_the_body(self.root):
            return None
        self.json_ld()  # read before extraction changes the tree
        self.taken = True
        self._selector = None
        return self.root


def _outside_the_body(root: HtmlElement) -> bool:
    """Tell whether the document holds a comment, or an element, outside its head and body.

    After ``</body>`` or ``</html>`` the parser places text by rules of their own, and a
    comment there changes where the text after it goes (or drops it): such a tree is not
    the one a parser that drops comments makes. Comments before ``<html>`` change nothing.
    """
    if any(child.tag is _COMMENT or child.tag is _PI for child in root):
        return True
    return any(True for _ in root.itersiblings())


def _parse(text: str) -> HtmlElement | None:
    """Parse ``text`` with lxml's HTML parser as parsel does, without stripping its ends.

    None for the texts whose parse may differ from parsel's or from extraction's beyond
    trailing white space (see the module).
    """
    stripped = text.strip()
    if "\x00" in text or not stripped or stripped.startswith("<?xml"):
        return None
    if stripped != text.strip(HTML_SPACE):
        return None  # parsel strips characters (no-break spaces ...) that are text to the parser
    parser = lxml.html.HTMLParser(**_PARSER_OPTIONS)
    try:
        root = lxml.etree.fromstring(text.encode("utf8"), parser=parser)
    except lxml.etree.XMLSyntaxError:
        return None
    if root is None or any("XML_PARSE_HUGE" in error.message for error in parser.error_log):
        return None
    return root  # type: ignore[no-any-return]
