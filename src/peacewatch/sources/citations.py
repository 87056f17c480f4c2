"""The bibliography of the catalogued sources (``peacewatch sources cite``): BibTeX that BibTeX accepts.

Several sources cite the same work (peacesciencer, the COW state list): such an entry is printed once.
Two different entries that share a key get the suffixes a, b, ... (``ipi_pkdba``, ``ipi_pkdbb``), the
BibTeX convention for one author's works of a year. Each source is introduced by comment lines naming
its licence and origin (BibTeX ignores text outside entries).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from string import ascii_lowercase

from peacewatch.sources.catalog import Catalog, Source

_START = re.compile(r"@(\w+)\s*\{\s*([^,\s]+)\s*,")


@dataclass
class Entry:
    """One BibTeX entry as written in the catalog."""

    kind: str
    key: str
    text: str  # the whole entry, from "@" to its closing brace

    def with_key(self, key: str) -> str:
        m = _START.match(self.text)
        assert m is not None  # entries() builds every Entry from a match of _START
        return f"@{self.kind}{{{key},{self.text[m.end() :]}"


def entries(citation: str, where: str = "citation") -> list[Entry]:
    """The entries of a ``citation`` text (balanced braces; text between entries is ignored)."""
    out, pos = [], 0
    while (m := _START.search(citation, pos)) is not None:
        depth = 0
        for j in range(m.start() + m.group(0).index("{"), len(citation)):
            depth += {"{": 1, "}": -1}.get(citation[j], 0)
            if depth == 0:
                break
        else:
            raise ValueError(f"{where}: entry {m.group(2)} has no closing brace")
        out.append(Entry(m.group(1).lower(), m.group(2), _normalise(citation[m.start() : j + 1])))
        pos = j + 1
    return out


def _normalise(text: str) -> str:
    """The entry with its lines' indentation made uniform (so the same entry copied into two catalog
    files compares equal)."""
    lines = [line.strip() for line in text.strip().splitlines()]
    return "\n".join([lines[0], *("  " + line for line in lines[1:-1]), lines[-1]] if len(lines) > 1 else lines)


def origin(source: Source) -> str:
    """Who publishes a source and where: ``publisher; homepage``."""
    return "; ".join(x for x in (source.publisher, source.homepage) if x)


def bibliography(catalog: Catalog, keys: list[str]) -> str:
    """BibTeX for the sources ``keys``: each work once, keys unique, licence and origin of each source."""
    per_source = {k: entries(catalog.source(k).citation, f"{k}.yml citation") for k in keys}
    variants: dict[str, list[str]] = {}  # key -> distinct entry texts, in order of appearance
    for found in per_source.values():
        for e in found:
            texts = variants.setdefault(e.key, [])
            if e.text not in texts:
                texts.append(e.text)

    def final_key(e: Entry) -> str:
        texts = variants[e.key]
        return e.key if len(texts) == 1 else e.key + ascii_lowercase[texts.index(e.text)]

    printed: dict[str, str] = {}  # final key -> source it was printed with
    blocks = []
    for k in keys:
        s = catalog.source(k)
        lines = [f"% {k}: {s.title}", f"%   licence: {_one_line(s.license)}", f"%   origin: {_one_line(origin(s))}"]
        for e in per_source[k]:
            key = final_key(e)
            if key in printed:
                lines.append(f"%   also cites {key} (printed above, with {printed[key]})")
                continue
            printed[key] = k
            lines.append(e.with_key(key))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())
