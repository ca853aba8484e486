"""Rebuild the screenshots of the HTML report in docs/ from the fixtures, in headless Chromium.

    python docs/screenshots.py [SUFFIX]     # from the repository's root; needs chromium

Writes docs/report-example.png (the README's example) and, with SUFFIX (default "after"),
docs/contact-sheet-SUFFIX.png, docs/gallery-SUFFIX.png, docs/two-articles-SUFFIX.png and
docs/errors-filter-SUFFIX.png: 1280 pixels wide pages saved at half size in 128 colours.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from headless import find_chromium, load  # noqa: E402

from provenance.pipeline import CheckOptions, run  # noqa: E402
from provenance.report import Format, render  # noqa: E402

FIXTURES = ROOT / "fixtures"


def shot(paths: list[Path], out: Path, *, options: CheckOptions | None = None, height: int = 1600,
         fragment: str = "", scale: float = 0.5, cwd: Path = ROOT) -> None:
    """Render the report of `paths` (named relative to `cwd`), load it, save the viewport small."""
    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("docs/screenshots.py needs chromium")
    here = Path.cwd()
    os.chdir(cwd)
    try:
        html = render(run([p.relative_to(cwd) for p in paths], options or CheckOptions()), Format.HTML)
    finally:
        os.chdir(here)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        result = load(chromium, page.as_uri() + fragment, Path(tmp) / "profile", "1", size=(1280, height))
    if result.problems:
        raise SystemExit(f"{out.name}: {result.problems}")
    with Image.open(io.BytesIO(result.screenshot)) as im:
        small = im.convert("RGB").resize((int(im.width * scale), int(im.height * scale)), Image.Resampling.LANCZOS)
    small.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)
    print(f"{out.relative_to(ROOT)}: {out.stat().st_size // 1024} KB")


def two_articles(folder: Path) -> list[Path]:
    """Two article folders sharing one photo under another name (a copy of coffee-small.jpg)."""
    harbour, ferry = folder / "harbour", folder / "ferry"
    shutil.copytree(FIXTURES / "rules" / "reused-photo" / "bad-md", harbour)
    clean = FIXTURES / "rules" / "reused-photo" / "clean-md"
    ferry.mkdir()
    shutil.copyfile(clean / "chelsea.jpg", ferry / "chelsea.jpg")
    shutil.copyfile(FIXTURES / "library" / "coffee-small.jpg", ferry / "ferry.jpg")
    text = (clean / "article.md").read_text(encoding="utf-8").replace("coffee.jpg", "ferry.jpg")
    (ferry / "article.md").write_text(text, encoding="utf-8")
    return [harbour, ferry]


def main() -> int:
    suffix = sys.argv[1] if len(sys.argv) > 1 else "after"
    docs = ROOT / "docs"
    rules = FIXTURES / "rules"
    example = [rules / "reused-photo" / "bad-md", rules / "unreadable-image" / "bad-md"]
    shot(example, docs / f"contact-sheet-{suffix}.png")
    shot(example, docs / "report-example.png", height=1200, scale=0.75)
    shot([rules / "reused-photo" / "bad-gallery-md"], docs / f"gallery-{suffix}.png", height=2000)
    with tempfile.TemporaryDirectory() as tmp:
        shot(two_articles(Path(tmp)), docs / f"two-articles-{suffix}.png", options=CheckOptions(reuse_scope="run"),
             height=2300, cwd=Path(tmp))
    every = [FIXTURES / "seed", *example, rules / "reused-photo" / "bad-gallery-md", rules / "missing-image" / "bad-md",
             rules / "missing-credit" / "bad-md", rules / "unused-image" / "bad-md"]
    shot(every, docs / f"errors-filter-{suffix}.png", fragment="#only-error")
    return 0


if __name__ == "__main__":
    sys.exit(main())
