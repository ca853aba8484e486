"""provenance: check the photos of a news article before it is published.

    import provenance
    report = provenance.check(["articles/harbour"])            # files, folders, URLs
    report = provenance.check_article(markdown, "markdown", {"harbour.jpg": data})  # in memory

See `provenance.api`; the report's types are importable from here.
"""

from provenance.api import check, check_article
from provenance.model import (
    Article,
    Figure,
    Finding,
    ImageRecord,
    Match,
    Report,
    Severity,
)
from provenance.pipeline import CheckOptions, UsageError
from provenance.version import DOCS_URL, __version__

__all__ = [
    "DOCS_URL",
    "Article",
    "CheckOptions",
    "Figure",
    "Finding",
    "ImageRecord",
    "Match",
    "Report",
    "Severity",
    "UsageError",
    "__version__",
    "check",
    "check_article",
]
