"""What every reader process needs, imported once by the fork server they are forked from.

`provenance.media.batch` has the fork server import this module before it forks any reader
process, so that each of them starts with it all in memory instead of importing it on its first
file (about a quarter of a second of CPU each): the media stage itself, the scipy modules the
hashes use (`hashing` imports them where they are used, so that a run whose records all come
from the cache never pays for them), and Pillow's image plugins (`Image.init`, which reading an
image calls).

Only pure Python and numerical libraries belong here: nothing that opens a file, a database or a
native context (c2pa-python stays imported where it is used).
"""

from __future__ import annotations

import importlib

from PIL import Image

MODULES = ("provenance.media.batch", "provenance.media.reader", "scipy.fft", "scipy.ndimage")

for name in MODULES:
    importlib.import_module(name)
Image.init()
