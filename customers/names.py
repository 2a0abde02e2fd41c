"""Accent- and case-insensitive forms of customer names, for sorting and word-prefix search.

PostgreSQL's unaccent and pg_trgm are contrib extensions the embedded server lacks, so
the folding happens here and the results are stored in indexed columns (INB-3, INB-4).
"""

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """'José Ñúñez' -> 'jose nunez': no accents, no case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def name_key(full_name: str) -> str:
    """The sort key of a name: folded, so 'Álvaro' and 'alvaro' compare equal."""
    return fold(full_name)[:200]


def name_tokens(full_name: str) -> list[str]:
    """The distinct folded words of a name, each searchable by its start."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(fold(full_name)):
        seen.setdefault(word[:60], None)
    return list(seen)


def search_prefixes(query: str) -> list[str]:
    """The folded words of a search query; every one must start some word of the name."""
    return [word[:60] for word in _WORD.findall(fold(query))][:5]
