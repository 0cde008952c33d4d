"""Rewrite README.md's table of challenges from the catalog (`mlj list --markdown`), between its markers.

tests/judge/test_listing.py fails while the README's table differs from the catalog; run this after adding
or retitling a challenge: python scripts/readme-challenges.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from judge.challenge import Challenge, discover  # noqa: E402
from judge.listing import markdown_table  # noqa: E402

START, END = "<!-- challenges: mlj list --markdown -->\n", "<!-- /challenges -->"

readme = ROOT / "README.md"
text = readme.read_text()
if START not in text or END not in text:
    sys.exit(f"{readme}: no markers {START.strip()!r} ... {END!r} to put the table between")
table = markdown_table([c for c in discover() if isinstance(c, Challenge)])
readme.write_text(re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: START + table + END, text, flags=re.S))
print(f"{readme}: {table.count(chr(10)) - 2} challenges")
