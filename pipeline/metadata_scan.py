"""One walk over a page's elements for what :mod:`pipeline.metadata`'s XPaths select.

Each whole-document XPath of the metadata reader (own dates, bylines, tag links, "By NAME"
lines, microformats) walks the page once per branch of its union, and the class tests
(``contains(concat(' ', normalize-space(@class), ' '), ' x ')``) build a string per element:
about 1 ms a query on a 60 KB page. :func:`scan` walks the elements once and keeps, in
document order, what each XPath selects. The XPaths stay as the specification, here beside
the lists that replace them; ``tests/test_pipeline_metadata_scan.py`` checks each list against
its XPath on every fixture and blog-set page and on edge cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from crawler.evidence import document_elements, tokens

OWN_DATE_XPATH = (
    # The post's published date first, then any date; an "updated" date only as such.
    ("published", "//*[contains(concat(' ', normalize-space(@class), ' '), ' published ')"
     " or contains(concat(' ', normalize-space(@class), ' '), ' entry-date ')"
     " or contains(concat(' ', normalize-space(@class), ' '), ' dt-published ')"
     " or contains(@class, 'post-date') or @itemprop='datePublished'][not(self::meta)]"),
    ("updated", "//*[contains(concat(' ', normalize-space(@class), ' '), ' updated ')"
     " or contains(concat(' ', normalize-space(@class), ' '), ' dt-updated ')"
     " or @itemprop='dateModified'][not(self::meta)]"),
    ("published", "//time[not(contains(@class, 'updated') or contains(@class, 'modified'))]"),
)  # fmt: skip
BYLINE_XPATHS = (
    "//*[contains(@class, 'post-author__name') or contains(@class, 'post-author-name')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' author ')]"
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' fn ')]",
    "//a[contains(concat(' ', normalize-space(@rel), ' '), ' author ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' byline ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' author ')]",
)
LINKS_XPATH = "//a[@href]"
TAG_CANDIDATES_XPATH = "//a[@href] | //*[contains(@class, 'tag')]"
BY_LINES_XPATH = "//p | //span | //div[not(*)] | //address"
H_ENTRY_XPATH = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' h-entry ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' hentry ')]"
)
# Relative to the microformat scope (the first h-entry, else the page's root element).
MF_TITLE_XPATH = (
    ".//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-title ')]"
    " | .//*[contains(concat(' ', normalize-space(@class), ' '), ' p-name ')]"
)
MF_AUTHOR_XPATH = (
    ".//*[contains(concat(' ', normalize-space(@class), ' '), ' p-author ')]"
    " | .//*[contains(concat(' ', normalize-space(@class), ' '), ' author ')]"
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' fn ')]"
    " | .//*[contains(concat(' ', normalize-space(@class), ' '), ' vcard ')]"
    " | .//a[@rel='author']"
)
MF_DATE_XPATH = {
    key: f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {key} ')]"
    f" | .//*[contains(concat(' ', normalize-space(@class), ' '), ' dt-{key} ')]"
    for key in ("published", "updated")
}
MF_TAG_XPATH = (
    ".//a[@rel='tag'][not(ancestor::*[contains(@class, 'category')"
    " or contains(@class, 'cat-links')])]"
)
LABELS_XPATH = "//*[contains(concat(' ', normalize-space(@class), ' '), ' post-labels ')]//a"


@dataclass
class MetadataScan:
    """What one pass over a document's elements finds, each list in document order."""

    # OWN_DATE_XPATH's and BYLINE_XPATHS' selections, in their order
    own_dates: tuple[list[etree._Element], ...] = field(default_factory=lambda: ([], [], []))
    bylines: tuple[list[etree._Element], ...] = field(default_factory=lambda: ([], [], [], [], []))
    links: list[etree._Element] = field(default_factory=list)
    tag_candidates: list[etree._Element] = field(default_factory=list)
    by_lines: list[etree._Element] = field(default_factory=list)
    h_entries: list[etree._Element] = field(default_factory=list)
    # Microformat elements of the whole document: MetadataScan.within picks a scope's.
    mf_titles: list[etree._Element] = field(default_factory=list)
    mf_authors: list[etree._Element] = field(default_factory=list)  # and "fn" elements
    mf_dates: dict[str, list[etree._Element]] = field(
        default_factory=lambda: {"published": [], "updated": []}
    )
    mf_tags: list[etree._Element] = field(default_factory=list)  # every a[@rel='tag']
    labels: list[etree._Element] = field(default_factory=list)
    # Every element, kept so that lxml keeps their proxies (a new proxy of an lxml.html
    # element costs a Python class lookup) while the page is read.
    elements: list[etree._Element] = field(default_factory=list, repr=False)

    def mf_author_elements(self, scope: etree._Element) -> list[etree._Element]:
        """Return what ``scope.xpath(MF_AUTHOR_XPATH)`` selects."""
        found = []
        for element in self.mf_authors:
            if not below(element, scope):
                continue
            words = tokens(element.get("class"))
            if (
                "p-author" in words
                or "vcard" in words
                or (element.tag == "a" and element.get("rel") == "author")
            ):
                found.append(element)
                continue
            # an "fn" inside an "author" element that is itself inside the scope
            for ancestor in element.iterancestors():
                if ancestor is scope:
                    break
                if "author" in tokens(ancestor.get("class")):
                    found.append(element)
                    break
        return found

    def mf_tag_links(self, scope: etree._Element) -> list[etree._Element]:
        """Return what ``scope.xpath(MF_TAG_XPATH)`` selects."""
        return [
            a
            for a in self.mf_tags
            if below(a, scope)
            and not any(
                "category" in (classes := ancestor.get("class") or "") or "cat-links" in classes
                for ancestor in a.iterancestors()
            )
        ]


NO_WORDS: frozenset[str] = frozenset()
PUBLISHED_WORDS = ("published", "entry-date", "dt-published")
MF_AUTHOR_WORDS = ("p-author", "vcard", "fn")


def below(element: etree._Element, scope: etree._Element) -> bool:
    """Tell whether ``element`` is a descendant of ``scope`` (in ``scope.xpath('.//*')``)."""
    return any(ancestor is scope for ancestor in element.iterancestors())


def scan(tree: etree._Element) -> MetadataScan:
    """Return what the XPaths above select in ``tree``'s document, in one walk."""
    found = MetadataScan()
    published, updated, times = found.own_dates
    by_class, by_fn, by_rel, by_byline, by_author = found.bylines
    post_labels = []
    elements = document_elements(tree)
    for element in elements:
        tag = element.tag
        classes = element.get("class")
        words = tokens(classes) if classes else NO_WORDS
        itemprop = element.get("itemprop")
        if tag != "meta":
            if itemprop == "datePublished" or (
                classes and (not words.isdisjoint(PUBLISHED_WORDS) or "post-date" in classes)
            ):
                published.append(element)
            if itemprop == "dateModified" or "updated" in words or "dt-updated" in words:
                updated.append(element)
        if tag == "time" and not (classes and ("updated" in classes or "modified" in classes)):
            times.append(element)
        if tag == "a":
            rel = element.get("rel")
            if rel is not None:
                if "author" in tokens(rel):
                    by_rel.append(element)
                if rel == "author":
                    found.mf_authors.append(element)
                elif rel == "tag":
                    found.mf_tags.append(element)
            if element.get("href") is not None:
                found.links.append(element)
                found.tag_candidates.append(element)
            elif classes and "tag" in classes:
                found.tag_candidates.append(element)
        elif classes and "tag" in classes:
            found.tag_candidates.append(element)
        if tag in ("p", "span", "address") or (
            tag == "div" and not any(isinstance(child.tag, str) for child in element)
        ):
            found.by_lines.append(element)
        if not classes:
            continue  # every test below needs a class
        if "post-author__name" in classes or "post-author-name" in classes:
            by_class.append(element)
        if not words:
            continue
        if "fn" in words and any(
            "author" in tokens(ancestor.get("class")) for ancestor in element.iterancestors()
        ):
            by_fn.append(element)
        if "byline" in words:
            by_byline.append(element)
        if "author" in words:
            by_author.append(element)
        if "h-entry" in words or "hentry" in words:
            found.h_entries.append(element)
        if "entry-title" in words or "p-name" in words:
            found.mf_titles.append(element)
        if not words.isdisjoint(MF_AUTHOR_WORDS) and (tag != "a" or element.get("rel") != "author"):
            found.mf_authors.append(element)  # (a rel="author" link is in the list already)
        if "published" in words or "dt-published" in words:
            found.mf_dates["published"].append(element)
        if "updated" in words or "dt-updated" in words:
            found.mf_dates["updated"].append(element)
        if "post-labels" in words:
            post_labels.append(element)
    if post_labels:  # rare: Blogger's label blocks
        labelled = {a for block in post_labels for a in block.iterdescendants("a")}
        found.labels = [e for e in elements if e in labelled]
    found.elements = elements
    return found
