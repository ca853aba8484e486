"""provenance: check the photos of a news article before it is published."""

__version__ = "0.1.0"
