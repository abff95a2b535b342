"""Vietnamese names: the stored NFC form, the accent-free search form, and a collation key.

Collation follows the Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư
v x y, with f j w z at their Latin places for foreign names). Letters decide first; tones only
break ties between names with the same letters (in dictionary order: none, huyền, hỏi, ngã,
sắc, nặng); letter case breaks the remaining ties. People sort by given name (the last word),
then by the whole name, as Vietnamese rolls do.
"""

from __future__ import annotations

import unicodedata
from functools import cache

_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_WEIGHT = {letter: 0x10 + rank for rank, letter in enumerate(_ALPHABET)}
_DIGIT_WEIGHT = {str(d): 0x02 + d for d in range(10)}
_WORD_BREAK = 0x01
_LEVEL_BREAK = b"\x00"
_OTHER = 0xF0  # followed by three bytes of code point: after every letter, in code-point order
_TONES = {"\u0300": 2, "\u0309": 3, "\u0303": 4, "\u0301": 5, "\u0323": 6}  # no tone = 1
_LETTER_MARKS = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}


def normalise_name(text: str) -> str:
    """NFC with runs of white space collapsed to one space: the form names are stored in."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def fold(text: str) -> str:
    """Lower-case, without diacritics, đ → d: `Nguyễn Văn Đức` → `nguyen van duc`."""
    return "".join(_fold_char(c) for c in " ".join(text.split()))


def name_key(text: str) -> bytes:
    """Bytes that compare (memcmp) in Vietnamese alphabetical order."""
    weights = [_char_weights(c) for c in normalise_name(text)]
    primary = b"".join(w[0] for w in weights)
    secondary = bytes(w[1] for w in weights)
    tertiary = bytes(w[2] for w in weights)
    return primary + _LEVEL_BREAK + secondary + _LEVEL_BREAK + tertiary


def person_key(full_name: str) -> bytes:
    """Sort key of a person: given name first, then the whole name."""
    name = normalise_name(full_name)
    given = name.rsplit(" ", 1)[-1]
    return name_key(given) + _LEVEL_BREAK + name_key(name)


@cache
def _fold_char(char: str) -> str:
    if char in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", char)
    return "".join(c for c in base if not unicodedata.combining(c)).lower()


@cache
def _char_weights(char: str) -> tuple[bytes, int, int]:
    """(primary bytes, tone, case) of one character."""
    lower = char.lower()
    case = 1 if char == lower else 2
    if lower == "đ":
        return bytes([_LETTER_WEIGHT["đ"]]), 1, case
    if char.isspace():
        return bytes([_WORD_BREAK]), 1, 1
    if char in _DIGIT_WEIGHT:
        return bytes([_DIGIT_WEIGHT[char]]), 1, 1
    decomposed = unicodedata.normalize("NFD", lower)
    base, marks = decomposed[0], decomposed[1:]
    tone = 1
    for mark in marks:
        if mark in _TONES:
            tone = _TONES[mark]
        else:
            base = _LETTER_MARKS.get((base, mark), base)
    if base in _LETTER_WEIGHT:
        return bytes([_LETTER_WEIGHT[base]]), tone, case
    return bytes([_OTHER]) + ord(char).to_bytes(3, "big"), 1, case
