"""What every reader process needs, loaded once by the fork server they are forked from.

`provenance.media.batch` has the fork server import this module before it forks any reader
process, so that each of them starts with it all in memory instead of loading it on its first
file: the media stage itself, the article parsers (for articles too large to parse in the check),
scipy's compiled functions the hashes use (`hashing.compiled`, which loads them where they are
first used, so that a run whose records all come from the cache never pays for them), and
Pillow's image plugins (`Image.init`, which reading an image calls).

Only pure Python and numerical libraries belong here: nothing that opens a file, a database or a
native context (c2pa-python stays imported where it is used).
"""

from __future__ import annotations

import contextlib
import os
import sys

from PIL import Image

from provenance.articles import html, markdown, text  # noqa: F401 (parsers of articles too large to parse in the check)
from provenance.media import batch, hashing, reader  # noqa: F401 (batch, reader: for the reader processes)

hashing.compiled()
Image.init()

_home = os.environ.pop(batch.READER_HOME, None)
if _home is not None:  # started from the root folder (see `batch._started_from_root`): nothing came from `_home`
    sys.path[:] = [entry for entry in sys.path if entry not in ("", os.curdir)]
    with contextlib.suppress(OSError):  # the folder is gone: what readers then open is reported unreadable
        os.chdir(_home)
