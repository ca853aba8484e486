"""remote-image (PV014): a figure whose remote image was not checked.

What it flags
    A figure whose image is a URL (http, https, data:) that was not fetched, so
    nothing about the photo itself was checked: its embedded credit, its date,
    its reuse, its archive record. `provenance check --fetch` fetches and checks
    it (a URL PATH is always fetched). A remote rendition whose file name names
    an image of the media folder (`photo-800x600.jpg` for `photo.jpg`) is
    checked through that image, and not flagged. With `--fetch`, it flags what
    could not be fetched for a reason of policy: an address that is loopback,
    private, link-local or a cloud metadata endpoint (also after a redirect),
    or a scheme other than http and https.

Why it matters
    A CMS export names its photos by their CDN address. A gate that checks
    only local files passes such an article having looked at none of its
    photos; this note makes `--fail-on note` fail it instead.

Example
    ![Harbour at dawn](https://cdn.example.com/2024/harbour.jpg?w=800)
    and no harbour.jpg in the media folder, checked without `--fetch`.

How to fix
    Run with `--fetch` (configuration `fetch = true`), put the original in the
    media folder under the same file name, or allow a private host you trust
    with `--allow-host HOST` (configuration `allow-hosts`).
"""

from __future__ import annotations

from collections.abc import Iterator

from provenance.model import Finding, RefStatus, Severity
from provenance.rules.base import CheckContext, Rule, figure_label


def check(ctx: CheckContext) -> Iterator[Finding]:
    for article in ctx.articles:
        for figure in article.figures:
            m = ctx.match(article, figure)
            if m is None or m.status is not RefStatus.REMOTE:
                continue
            url = m.url or figure.image_ref or ""
            shown = url if len(url) <= 120 else url[:117] + "..."
            why = m.unchecked or "not fetched; `provenance check --fetch` checks it"
            yield RULE.finding(
                f"{figure_label(figure, capital=True)} shows the remote image {shown}, not checked: {why}",
                article=article, root=article.root, line=figure.line, figures=[figure], extra_paths=[url],
            )


RULE = Rule("PV014", "remote-image", Severity.NOTE,
            "A remote image that was not checked (`--fetch` checks it).", check)
