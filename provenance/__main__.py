"""`python -m provenance`: the command line, as the `provenance` script runs it."""

import sys

from provenance.cli import main

sys.exit(main())
