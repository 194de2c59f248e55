"""Saved HTML pages → the same blocks a visible-text save of the page would give.

The listing and detail rules read blocks, never HTML, so an HTML snapshot only has to be
rendered the way a browser's "save as text" renders it: one block per visible line, a blank line
between block-level elements, none between `<br>`-separated lines. Only the main content region
is rendered: a new-site detail page is ~700 KB of Drupal mega-menus full of dated /document/
links, and none of that may ever become an entry.

Two layout facts that a text save shows with whitespace or glyphs are reproduced explicitly:

- a repeated result item (article, li, tr, .views-row, .search-result) whose first line is not a
  date starts with `gap=2`: the text save of such an entry shows an extra blank line where the
  date line is missing, and the listing parser relies on it;
- the first line of an `<li>` of a bulleted list (old-site listings) carries `bullet=True`, and
  `<hr>` or a line holding only "-" is a separator (old-site entry separator).

The renderer walks the content subtree once, depth first, with an explicit pointer walk (no
recursion, so deeply nested markup cannot overflow the stack) and a small context stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipeline.dates import looks_like_date_line
from pipeline.extract.blocks import BULLETS, SEPARATORS, Block, clean_text
from pipeline.extract.html_bounds import is_truncated_html, narrow_to_main

# Never visible page text: skipped with their whole subtree.
SKIP_TAGS = frozenset(
    {
        "head", "script", "style", "noscript", "template", "svg", "math", "iframe", "object",
        "embed", "canvas", "video", "audio", "header", "nav", "footer", "aside", "form",
        "button", "select", "textarea", "input", "dialog", "link", "meta", "title", "base",
    }
)  # fmt: skip
# Landmarks and widgets that are site furniture, not the page's content.
SKIP_ROLES = frozenset(
    {
        "navigation", "banner", "contentinfo", "search", "complementary", "dialog",
        "alertdialog", "tablist", "menu", "menubar", "toolbar",
    }
)  # fmt: skip
# Class or id tokens of hidden or chrome elements (exact token match).
SKIP_TOKENS = frozenset(
    {
        "visually-hidden", "sr-only", "element-invisible", "screen-reader-text", "show-for-sr",
        "hidden", "d-none", "invisible", "skip-link", "breadcrumb", "breadcrumbs", "pager",
        "pagination", "tabs", "nav-tabs", "contextual", "modal", "share", "sharing",
        "social-share", "addtoany",
    }
)  # fmt: skip
# Substrings of class or id naming cookie/consent banners and mega-menus.
SKIP_SUBSTRINGS = ("cookie", "consent", "gdpr", "sliding-popup", "megamenu", "mega-menu")
# Words in a list's class naming a list printed without bullets (pills, tags, inline links).
UNBULLETED_WORDS = frozenset(
    {"unstyled", "inline", "pill", "pills", "tag", "tags", "links", "facet", "facets", "none"}
)

BLOCK_TAGS = frozenset(
    {
        "address", "article", "blockquote", "body", "caption", "center", "dd", "details",
        "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4",
        "h5", "h6", "hgroup", "html", "legend", "li", "main", "ol", "p", "pre", "section",
        "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
    }
)  # fmt: skip
LANDMARKS = frozenset({"header", "nav", "footer", "aside", "form", "dialog"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
CELLS = frozenset({"td", "th"})
ITEM_TAGS = frozenset({"article", "li", "tr"})
ITEM_CLASSES = frozenset({"views-row", "search-result", "search-results__item", "result-item"})

# Where the page's own content lives, best first; an empty match (Drupal's `<a id=main-content>`
# skip anchor) falls through to the next.
CONTENT_ROOTS = ("main", "[role=main]", "#main-content", ".region-content", "#content")

_NODE_PATH = re.compile(r"/node/(\d+)(?:[/?#]|$)")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_WORDS = re.compile(r"[a-z0-9]+")
_NEWLINES = str.maketrans("\n\r\f", "   ")  # source line breaks are spaces outside <pre>

# Context flags kept per open element, checked when it closes.
_BLOCK, _ITEM, _BULLET, _PRE, _HEADING = 1, 2, 4, 8, 16


@dataclass(frozen=True)
class HtmlPage:
    """An HTML snapshot rendered to blocks, plus the facts only the markup carries."""

    blocks: list[Block] = field(default_factory=list)
    url: str | None = None  # <link rel=canonical>, else og:url
    node_id: str | None = None  # Drupal node id from <link rel=shortlink href=".../node/NNN">
    is_truncated: bool = False  # opened <html>/<body> but never closed them: a partial save
    title_tag: str | None = None


def html_to_blocks(html: str) -> HtmlPage:
    """Render a saved archive page to blocks (see module doc) and read its head links."""
    narrowed = narrow_to_main(html)
    tree = LexborHTMLParser(narrowed)
    blocks = _render_content(tree)
    if not blocks and narrowed is not html:
        tree = LexborHTMLParser(html)  # an empty <main>: the content lives elsewhere
        blocks = _render_content(tree)
    canonical = _attr(tree, "link[rel~=canonical]", "href")
    url = canonical or _attr(tree, 'meta[property="og:url"]', "content")
    shortlink = _attr(tree, "link[rel~=shortlink]", "href")
    m = _NODE_PATH.search(shortlink) if shortlink else None
    title_node = tree.css_first("title")
    title = clean_text(title_node.text().translate(_NEWLINES)) if title_node is not None else ""
    return HtmlPage(
        blocks=blocks,
        url=url,
        node_id=m.group(1) if m else None,
        is_truncated=is_truncated_html(html),
        title_tag=title or None,
    )


def _attr(tree: LexborHTMLParser, selector: str, name: str) -> str | None:
    node = tree.css_first(selector)
    value = node.attributes.get(name) if node is not None else None
    return (value.strip() or None) if value else None


def _render_content(tree: LexborHTMLParser) -> list[Block]:
    """Blocks of the first non-empty content region, else of the whole body."""
    for selector in CONTENT_ROOTS:
        node = tree.css_first(selector)
        if node is not None:
            blocks = _Renderer().render(node)
            if blocks:
                return blocks
    root = tree.body or tree.root
    return _Renderer().render(root) if root is not None else []


def _is_skipped(tag: str, attrs: dict[str, str | None]) -> bool:
    """Hidden or chrome element (see SKIP_* tables)."""
    if tag in SKIP_TAGS:
        return True
    if not attrs:
        return False
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    if (attrs.get("role") or "").lower() in SKIP_ROLES:
        return True
    style = attrs.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    return _is_chrome(attrs.get("class"), attrs.get("id"))


@lru_cache(maxsize=8192)  # a site prints the same few hundred class and id values on every page
def _is_chrome(classes: str | None, ident: str | None) -> bool:
    """Class and id name a hidden or chrome element (SKIP_TOKENS, menus, SKIP_SUBSTRINGS)."""
    names = f"{classes or ''} {ident or ''}".lower()
    tokens = names.split()
    if any(t in SKIP_TOKENS or _is_menu_token(t) for t in tokens):
        return True
    if "tab-pane" in tokens and "active" not in tokens:
        return True  # an inactive Bootstrap tab: display:none until clicked
    return any(s in names for s in SKIP_SUBSTRINGS)


def _is_menu_token(token: str) -> bool:
    return token == "menu" or token.startswith("menu-") or token.endswith("-menu")


def _class_parts(*class_values: str | None) -> set[str]:
    """Words of class names: "list-unstyled pills" -> {"list", "unstyled", "pills"}."""
    return set(_WORDS.findall(" ".join(v for v in class_values if v).lower()))


def _is_bullet_item(node: LexborNode, attrs: dict[str, str | None]) -> bool:
    """An <li> of a plain <ul>: printed with a bullet unless the list is styled without one."""
    parent = node.parent
    if parent is None or parent.tag != "ul":
        return False
    parts = _class_parts(parent.attributes.get("class"), attrs.get("class"))
    return parts.isdisjoint(UNBULLETED_WORDS)


def _is_item(tag: str, attrs: dict[str, str | None]) -> bool:
    if tag in ITEM_TAGS:
        return True
    classes = attrs.get("class")
    return bool(classes) and any(c in ITEM_CLASSES for c in classes.split())


class _Renderer:
    """One depth-first pass that turns a subtree into blocks (state of the current line)."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._line: list[str] = []  # raw text pieces of the line being built
        self._gap = 0  # blank lines owed before the next block
        self._item_pending = False  # next block opens a repeated item
        self._bullet_pending = False  # next block is the first line of a bulleted <li>
        self._pre = 0
        self._heading = 0
        self._stack: list[tuple[int, bool, bool]] = []  # (flags, saved item, saved bullet)

    def render(self, root: LexborNode) -> list[Block]:
        root_id = root.mem_id
        node: LexborNode | None = root
        while node is not None:
            if self._enter(node, node.mem_id == root_id):
                child = node.first_child
                if child is not None:
                    node = child
                    continue
                self._leave()
            # climb until a next sibling exists, closing every element left behind
            while node is not None and node.mem_id != root_id:
                sibling = node.next
                if sibling is not None:
                    node = sibling
                    break
                node = node.parent
                if node is not None:
                    self._leave()
            else:
                node = None
        self._flush()
        return self.blocks

    # -- tree events -------------------------------------------------------------------------

    def _enter(self, node: LexborNode, is_root: bool) -> bool:
        """Handle a node; True when it is an element whose children must be visited."""
        tag = node.tag or ""
        if tag == "-text":
            self._text(node.text_content or "")
            return False
        if tag.startswith("-") or tag.startswith("!") or node.is_comment_node:
            return False
        attrs = node.attributes
        if not is_root and _is_skipped(tag, attrs):
            if tag in BLOCK_TAGS or tag in LANDMARKS:
                self._break()  # a dropped block still separates the text around it
            return False
        if tag == "br":
            self._line_break()
            return False
        if tag == "hr":
            self._break()
            self._emit("-")
            self._break()
            return False
        flags = 0
        if tag in BLOCK_TAGS:
            flags |= _BLOCK
            self._break()
        elif tag in CELLS:
            self._line.append(" ")
        saved = (self._item_pending, self._bullet_pending)
        if _is_item(tag, attrs):
            flags |= _ITEM
            self._item_pending = True
        if tag == "li" and _is_bullet_item(node, attrs):
            flags |= _BULLET
            self._bullet_pending = True
        if tag == "pre":
            flags |= _PRE
            self._pre += 1
        if tag in HEADINGS:
            flags |= _HEADING
            self._heading += 1
        self._stack.append((flags, *saved))
        return True

    def _leave(self) -> None:
        flags, item, bullet = self._stack.pop()
        if flags & _BLOCK:
            self._break()  # flush while heading/pre state of this element still applies
        if flags & _ITEM and self._item_pending:
            self._item_pending = item  # the item printed nothing: restore the outer state
        if flags & _BULLET and self._bullet_pending:
            self._bullet_pending = bullet
        if flags & _PRE:
            self._pre -= 1
        if flags & _HEADING:
            self._heading -= 1

    def _text(self, text: str) -> None:
        if not self._pre:
            self._line.append(text)
            return
        lines = text.split("\n")
        self._line.append(lines[0])
        for line in lines[1:]:
            self._line_break()
            self._line.append(line)

    # -- line building -----------------------------------------------------------------------

    def _break(self) -> None:
        """Block boundary: end the line; at least one blank line before the next block."""
        self._flush()
        if self.blocks:
            self._gap = max(self._gap, 1)

    def _line_break(self) -> None:
        """<br> (or a newline in <pre>): a new line, blank when the current one is empty."""
        if not self._flush() and self.blocks:
            self._gap = max(self._gap, 1)

    def _flush(self) -> bool:
        if not self._line:
            return False
        text = clean_text("".join(self._line).translate(_NEWLINES))
        self._line.clear()
        return self._emit(text) if text else False

    def _emit(self, text: str) -> bool:
        bullet = False
        if text[0] in BULLETS and (len(text) == 1 or text[1] == " "):
            bullet, text = True, text[1:].strip()  # a literal bullet, as text_to_blocks reads it
            if not text:
                return False
        gap = self._gap
        if self._item_pending:
            self._item_pending = False
            if not looks_like_date_line(text):
                gap = max(gap, 2)  # where the missing date line would have been
        if self._bullet_pending:
            self._bullet_pending = False
            bullet = True
        role = "heading" if self._heading else ""
        self.blocks.append(
            Block(text, gap=gap, bullet=bullet, separator=text in SEPARATORS, role=role)
        )
        self._gap = 0
        return True
