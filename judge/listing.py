"""The catalog as ``mlj list`` shows it: filters by tag and difficulty, one-line summaries, the counts,
and the Markdown table the README keeps (``mlj list --markdown``; a test holds the README to it)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from judge.challenge import BrokenChallenge, Challenge

DIFFICULTIES = ("easy", "medium", "hard")
SUMMARY_CHARS = 150


class UnknownTag(ValueError):
    """A ``--tag`` that no challenge carries (a typo, most likely)."""


def summary(challenge: Challenge) -> str:
    """The challenge's ``summary:``, or else the first sentence of its statement after the title."""
    if challenge.spec.summary:
        return challenge.spec.summary
    try:
        text = challenge.statement_path.read_text(encoding="utf-8")
    except OSError:
        return ""
    paragraph: list[str] = []
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            if paragraph:
                break
            continue
        paragraph.append(line.strip())
    words = " ".join(paragraph)
    # the first ". " that ends a sentence ("e.g. " and "i.e. " do not)
    match = re.search(r"(?<!\be\.g)(?<!\bi\.e)[.!?](\s|$)", words)
    sentence = words[:match.end()].strip() if match else words
    return sentence if len(sentence) <= SUMMARY_CHARS else sentence[:SUMMARY_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True)
class Listing:
    shown: list[Challenge | BrokenChallenge]
    total: int  # loadable challenges in the catalog
    counts: dict[str, int]  # of those shown, per difficulty

    def footer(self, tags: tuple[str, ...], difficulty: str | None) -> str:
        kept = sum(isinstance(c, Challenge) for c in self.shown)
        filters = [f"tag {t}" for t in tags] + ([f"difficulty {difficulty}"] if difficulty else [])
        head = f"{kept} of {self.total} challenges ({', '.join(filters)})" if filters else f"{kept} challenges"
        counts = ", ".join(f"{self.counts[d]} {d}" for d in DIFFICULTIES if self.counts.get(d))
        return f"{head}: {counts}" if counts else head


def select(found: list[Challenge | BrokenChallenge], *, tags: tuple[str, ...] = (),
           difficulty: str | None = None) -> Listing:
    """The challenges carrying every one of ``tags`` (case-insensitive) at ``difficulty``; a broken package is
    shown whatever the filters (its metadata cannot be read, and hiding it would hide the error)."""
    loaded = [c for c in found if isinstance(c, Challenge)]
    known = {t.lower() for c in loaded for t in c.spec.tags}
    wanted = tuple(t.lower() for t in tags)
    for tag in wanted:
        if tag not in known:
            raise UnknownTag(f"no challenge has the tag {tag!r}; the tags are: {', '.join(sorted(known))}")
    shown = [c for c in found if isinstance(c, BrokenChallenge) or (
        set(wanted) <= {t.lower() for t in c.spec.tags} and difficulty in (None, c.spec.difficulty))]
    counts = Counter(c.spec.difficulty for c in shown if isinstance(c, Challenge))
    return Listing(shown, len(loaded), dict(counts))


def markdown_table(challenges: list[Challenge]) -> str:
    """The README's table of challenges: id, what it asks, difficulty, tags."""
    lines = ["| id | challenge | difficulty | tags |", "|---|---|---|---|"]
    for c in challenges:
        what = f"**{c.spec.title}**. {summary(c)}".replace("|", "\\|")
        lines.append(f"| `{c.id}` | {what} | {c.spec.difficulty} | {', '.join(c.spec.tags)} |")
    return "\n".join(lines) + "\n"
