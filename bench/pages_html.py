"""Page writers for the new site's HTML: the ~680 KB navigation menu every page carries, the
site shell around the content, detail pages and search result pages.

Why a module of its own: HTML pages are where size (and so parse time and memory) comes from;
the navigation padding and Drupal-like markup live here, apart from the text layouts.
"""

from __future__ import annotations

import hashlib
import html
import json

from bench import vocab
from bench.corpus_model import YEARS, Doc, new_site_date, seeded_rng, slugify
from bench.page_content import PrintedEntry, body_paragraphs, detail_facts

NAV_BYTES = 680_000


def build_nav(seed: int, target: int = NAV_BYTES) -> str:
    """The new site's mega-menu (collections, topics, people, places), ~650 KB of links."""
    rng = seeded_rng(seed, "nav")
    out = [
        '<nav role="navigation" aria-labelledby="block-mainnavigation-menu" '
        'id="block-mainnavigation" class="block block-menu navigation menu--main">\n'
        '<h2 class="visually-hidden" id="block-mainnavigation-menu">Main navigation</h2>\n'
        '<ul class="menu menu--level-1">\n'
    ]
    size = len(out[0])
    sections = [
        ("Collections", "collections"),
        ("Topics", "topics"),
        ("People", "people"),
        ("Places", "places"),
        ("Themes", "themes"),
    ]
    node = 200_000
    while size < target:
        for label, path in sections:
            head = (
                f'<li class="menu-item menu-item--expanded"><span class="menu-link '
                f'menu-link--level-1">{label}</span>\n<ul class="menu menu--level-2">\n'
            )
            out.append(head)
            size += len(head)
            for _ in range(40):
                if size >= target:
                    break
                if label == "People":
                    name = rng.choice(vocab.PEOPLE)[0]
                elif label == "Places":
                    name = rng.choice(vocab.CITIES + vocab.REGIONS)
                elif label == "Topics":
                    name = rng.choice(vocab.TOPICS).capitalize()
                else:
                    y = rng.choice(YEARS)
                    name = f"{rng.choice(vocab.THEMES)}, {y}-{y + rng.randint(1, 15)}"
                node += rng.randint(1, 40)
                item = (
                    f'<li class="menu-item"><a href="/{path}/{slugify(name)}-{node}" '
                    f'class="menu-link menu-link--level-2" data-drupal-link-system-path='
                    f'"node/{node}" title="{html.escape(name)}">{html.escape(name)}</a></li>\n'
                )
                out.append(item)
                size += len(item)
            out.append("</ul></li>\n")
            size += 11
    out.append("</ul>\n</nav>\n")
    return "".join(out)


def _esc(text: str) -> str:
    return html.escape(text, quote=False).replace("\u00a0", "&nbsp;")


def _html_page(
    nav: str, url: str, title: str, node: int, main: str, body_class: str, token: str = ""
) -> str:
    """The site shell around `main`; `token` stands for per-fetch bytes (cache keys, nonces)."""
    settings = json.dumps(
        {
            "permissionsHash": hashlib.sha256(token.encode()).hexdigest(),
            "path": {"baseUrl": "/", "currentPath": f"node/{node}", "currentLanguage": "en"},
            "ajaxPageState": {"theme": "digitalarchive", "libraries": "core/drupal," * 200},
            "gtag": {"tagId": "G-XXXXXXX", "otherIds": []},
        },
        sort_keys=True,
    )
    return (
        '<!DOCTYPE html>\n<html lang="en" dir="ltr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>{_esc(title)} | Wilson Center Digital Archive</title>\n"
        f'<link rel="canonical" href="{html.escape(url)}">\n'
        '<link rel="stylesheet" media="all" href="/themes/custom/digitalarchive/css/style.css">\n'
        '<script type="application/json" data-drupal-selector="drupal-settings-json">'
        f"{settings}</script>\n</head>\n"
        f'<body class="{body_class}">\n'
        '<a href="#main-content" class="visually-hidden focusable skip-link">Skip to content</a>\n'
        '<div class="dialog-off-canvas-main-canvas" data-off-canvas-main-canvas>\n'
        '<header role="banner" class="site-header">\n<div class="site-branding">'
        '<a href="/" rel="home">Digital Archive</a> International History Declassified</div>\n'
        f"{nav}</header>\n"
        f'<main role="main" id="main-content">\n{main}</main>\n'
        '<footer role="contentinfo" class="site-footer">\n<p>Wilson Center, One Woodrow Wilson '
        'Plaza, 1300 Pennsylvania Ave NW, Washington, DC 20004</p>\n<ul class="menu"><li><a '
        'href="/about">About</a></li><li><a href="/terms">Terms of Use</a></li></ul>\n'
        "</footer>\n</div>\n</body>\n</html>\n"
    )


def render_detail_html(seed: int, doc: Doc, nav: str, url: str, variant: int = 0) -> str:
    """New-site detail page as HTML: Drupal-like markup inside the big navigation shell."""
    f = detail_facts(seed, doc, "new_html")
    paras = body_paragraphs(seed, doc)
    date = new_site_date(doc)
    body = "\n".join(f"<p>{_esc(p)}</p>" for p in paras)
    main = [
        '<article class="node node--type-document node--view-mode-full">\n'
        '<div class="document-header">\n'
    ]
    if date:
        main.append(f'<div class="field field--name-field-document-date">{date}</div>\n')
    main.append(
        f'<h1 class="page-title"><span class="field--name-title">{_esc(doc.title)}</span></h1>\n'
    )
    main.append(
        '<div class="field field--name-field-funders">This document was made possible with '
        f'support from <a href="/funders/{slugify(f.funder)}">{_esc(f.funder)}</a></div>\n'
        "</div>\n"
        f'<div class="field field--name-field-translation field--type-text-long">\n{body}\n'
        "</div>\n"
    )
    if doc.summary:
        main.append(
            f'<div class="field field--name-field-summary"><p>{_esc(doc.summary)}</p></div>\n'
        )
    main.append(
        '<section class="document-information">\n<h2>Document Information</h2>\n'
        f'<div class="field field--name-field-source"><p>{_esc(f.citation)}</p></div>\n'
        f'<div class="field field--name-field-rights"><p>{_esc(vocab.RIGHTS[0])}</p>\n'
        f"<p>{_esc(vocab.RIGHTS[1])}</p></div>\n"
    )
    for label, value in (
        ("Original Uploaded Date", f.uploaded),
        ("Record ID", str(doc.record_id)),
        ("Original Classification", f.classification),
    ):
        main.append(
            f'<div class="field"><div class="field__label">{label}</div>'
            f'<div class="field__item">{_esc(value)}</div></div>\n'
        )
    main.append(f'<div class="funder-logo">{_esc(f.funder)}</div>\n</section>\n</article>\n')
    return _html_page(
        nav,
        url,
        doc.title,
        doc.record_id,
        "".join(main),
        "path-node page-node-type-document",
        token=f"{doc.record_id}-{variant}",
    )


def render_search_html(
    nav: str,
    url: str,
    keyword: str,
    first: int,
    total: int,
    entries: list[PrintedEntry],
    slugs: dict[int, str],
) -> str:
    """New-site search page as HTML: one div.views-row > article per result."""
    last = first + len(entries) - 1
    main = [
        '<div class="search-results-header"><h1 class="page-title">Search</h1>\n'
        f'<div class="search-results-count">{first} - {last} of {total}</div></div>\n'
        '<div class="view view-search view-id-search">\n<div class="view-content">\n'
    ]
    for e in entries:
        main.append('<div class="views-row"><article class="teaser teaser--document">\n')
        if e.date:
            main.append(f'<div class="teaser__date">{e.date}</div>\n')
        main.append(
            f'<h3 class="teaser__title"><a href="/document/{slugs[e.record_id]}">'
            f"{_esc(e.title)}</a></h3>\n"
        )
        if e.summary is not None:
            main.append(f'<div class="teaser__summary"><p>{_esc(e.summary)}</p></div>\n')
        main.append("</article></div>\n")
    main.append(
        '</div>\n<nav class="pager" role="navigation"><ul class="pager__items">'
        '<li class="pager__item"><a href="?page=1">Next</a></li></ul></nav>\n</div>\n'
    )
    return _html_page(nav, url, f"Search: {keyword}", 1, "".join(main), "path-search")
