"""Run provenance from a checkout: `python cli.py check PATH...` (same as the `provenance` command)."""

import sys

from provenance.cli import main

if __name__ == "__main__":
    sys.exit(main())
