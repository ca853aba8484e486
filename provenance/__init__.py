"""provenance: check the photos of a news article before it is published."""

__version__ = "0.1.0"

DOCS_URL = "https://github.com/OWNER/provenance/blob/main/README.md"
"""The README on the project's home (also `[project.urls]` in pyproject.toml); each rule's section is an
anchor in it (see `provenance.rules.base.Rule.help_uri`)."""
