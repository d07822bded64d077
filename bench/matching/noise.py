"""Seeded noise for rendered references, the kinds real reference lists show."""

from __future__ import annotations

import random
import re


def noise_add(text: str, rng: random.Random) -> tuple[str, list[str]]:
    """`text` with some noise added, and the names of the kinds applied."""
    applied = []
    if rng.random() < 0.5:  # Crossref's model: spaces lost and added, letters replaced
        chars = list(text)
        for _ in range(rng.randint(1, 3)):
            spaces = [i for i, c in enumerate(chars) if c == " "]
            if spaces:
                del chars[rng.choice(spaces)]
        for _ in range(rng.randint(0, 3)):
            chars.insert(rng.randrange(len(chars)), " ")
        for _ in range(rng.randint(1, 5)):
            letters = [i for i, c in enumerate(chars) if c.isalpha()]
            if letters and rng.random() < 0.3:
                chars[rng.choice(letters)] = rng.choice("abcdefghijklmnopqrstuvwxyz")
        text = "".join(chars)
        applied.append("typos")
    if rng.random() < 0.2:
        text = text.replace("fi", "\ufb01").replace("fl", "\ufb02")
        text = re.sub(r"(\w{4})(\w{4,})", lambda m: m.group(1) + "- " + m.group(2), text, count=1)
        applied.append("ocr")
    if rng.random() < 0.2:
        text = re.sub(r"(\d{3,})[-\u2013](\d{3,})", lambda m: m.group(1) + "–" + m.group(2)[-2:], text)
        applied.append("short-pages")
    if rng.random() < 0.15:
        text = re.sub(r",[^,.]*?(et al\.|&|and)[^,.(]*", " et al.", text, count=1)
        applied.append("et-al")
    if rng.random() < 0.1:
        text = re.sub(
            r"\b(19|20)(\d\d)\b", lambda m: str(int(m.group()) + rng.choice((-1, 1))), text, count=1
        )
        applied.append("year±1")
    if rng.random() < 0.1:
        text += rng.choice(
            [" Retrieved from http://example.org/x", " [Internet]", " <i>Epub ahead of print</i>"]
        )
        applied.append("junk")
    return text, applied
