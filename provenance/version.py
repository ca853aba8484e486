"""The package's version and the address of its documentation (re-exported by `provenance`)."""

__version__ = "0.1.0"
"""The package's version (also `version` in pyproject.toml)."""

DOCS_URL = "https://github.com/OWNER/provenance/blob/main/README.md"
"""The README on the project's home (also `[project.urls]` in pyproject.toml); each rule's section is an
anchor in it (see `provenance.rules.base.Rule.help_uri`)."""
