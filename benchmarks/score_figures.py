"""Score figure extraction on the labelled pages of `benchmarks/labels/pages/`.

    python benchmarks/score_figures.py [PAGES_DIR]

PAGES_DIR (the saved pages, `*.html.gz`) defaults to `../shared/corpus/pages`
next to the project. Each labelled page is checked with `provenance check
--format json`, run in a temporary folder holding only that page, and its
figures are matched to the labels with the caption and credit matching of
`../shared/tools/score_figures.py` (loaded from there, so both scorers agree).
Spurious captions are counted on every labelled page, also on pages whose
label has no figure. Prints one line per miss, then for half A, half B and
all pages: `pages X: captions R1 credits R2 spurious S`.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels" / "pages"
SHARED = HERE.parent.parent / "shared"
SHARED_SCORER = SHARED / "tools" / "score_figures.py"
DEFAULT_PAGES = SHARED / "corpus" / "pages"
TIMEOUT = 120
"""Seconds one page may take before it scores as failed."""


def load_matching(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("shared_score_figures", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def extracted_figures(page: Path) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        art = Path(tmp) / "article.html"
        with gzip.open(page) as src, open(art, "wb") as dst:
            shutil.copyfileobj(src, dst)
        cmd = [sys.executable, "-m", "provenance", "check", "--format", "json", str(art)]
        out = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT, cwd=tmp, check=False)
        report = json.loads(out.stdout)
    return [f for a in report.get("articles", []) for f in a.get("figures", [])]


class Tally:
    def __init__(self) -> None:
        self.tot_cap = self.tot_cred = self.hit_cap = self.hit_cred = 0
        self.extracted = self.spurious = self.failed = 0

    def add(self, other: Tally) -> None:
        for key, value in vars(other).items():
            setattr(self, key, getattr(self, key) + value)

    def line(self, name: str) -> str:
        rc = self.hit_cap / self.tot_cap if self.tot_cap else 0.0
        rr = self.hit_cred / self.tot_cred if self.tot_cred else 0.0
        sp = self.spurious / self.extracted if self.extracted else 0.0
        return f"pages {name}: captions {rc:.3f} credits {rr:.3f} spurious {sp:.3f}"

    def detail(self, name: str) -> str:
        return (
            f"pages {name}: failed {self.failed}; captions {self.hit_cap}/{self.tot_cap}; "
            f"credits {self.hit_cred}/{self.tot_cred}; captioned figures extracted {self.extracted}, "
            f"unmatched {self.spurious}"
        )


def score_page(
    label: dict,
    figs: list[dict],
    caption_match: Callable[[str, str], bool],
    credit_match: Callable[[list[str], str], bool],
    tally: Tally,
) -> list[tuple[str, str]]:
    """Match one page's labelled figures to the extracted ones, as the shared scorer does."""
    used: set[int] = set()
    misses: list[tuple[str, str]] = []
    for want in label.get("figures") or []:
        cap, auth = want.get("caption") or "", want.get("credit") or []
        if not cap and not auth:
            continue
        tally.tot_cap += bool(cap)
        tally.tot_cred += bool(auth)
        best = None
        for i, f in enumerate(figs):
            if i in used:
                continue
            if cap and caption_match(cap, f.get("caption") or ""):
                best = i
                break
            if not cap and auth and credit_match(auth, f.get("credit") or ""):
                best = i
                break
        if best is None:
            misses.append(("caption" if cap else "credit", cap or "; ".join(auth)))
            continue
        used.add(best)
        tally.hit_cap += bool(cap)
        if auth:
            if credit_match(auth, figs[best].get("credit") or ""):
                tally.hit_cred += 1
            else:
                misses.append(("credit", f"{'; '.join(auth)!r} got {figs[best].get('credit')!r}"))
    captioned = [i for i, f in enumerate(figs) if (f.get("caption") or "").strip()]
    tally.extracted += len(captioned)
    tally.spurious += len([i for i in captioned if i not in used])
    for i in captioned:
        if i not in used:
            misses.append(("spurious", str(figs[i].get("caption"))))
    return misses


def main(argv: list[str]) -> int:
    pages_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_PAGES
    if not SHARED_SCORER.is_file():
        print(f"shared scorer not found at {SHARED_SCORER}; nothing to score")
        return 1
    if not pages_dir.is_dir():
        print(f"no saved pages under {pages_dir}; nothing to score")
        return 1
    labels = sorted(LABELS.glob("*.json"))
    if not labels:
        print(f"no label files under {LABELS}; nothing to score")
        return 1
    shared = load_matching(SHARED_SCORER)
    halves = {"A": Tally(), "B": Tally()}
    for path in labels:
        try:
            label = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"skip {path.name}: unreadable label ({exc})")
            continue
        half = label.get("half")
        page = pages_dir / str(label.get("page", ""))
        if half not in halves or not page.is_file():
            print(f"skip {path.name}: no half or no page {page.name}")
            continue
        tally = halves[half]
        try:
            figs = extracted_figures(page)
        except Exception as exc:  # any failure scores as zero, like the shared scorer
            tally.failed += 1
            print(f"FAIL {page.name}: {type(exc).__name__}: {str(exc)[:120]}")
            figs = []
        for kind, what in score_page(label, figs, shared.caption_match, shared.credit_match, tally):
            print(f"miss {kind:8} {half} {page.name}: {what[:110]}")
    total = Tally()
    for tally in halves.values():
        total.add(tally)
    for name, tally in [*halves.items(), ("all", total)]:
        print(tally.detail(name))
    for name, tally in [*halves.items(), ("all", total)]:
        print(tally.line(name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
