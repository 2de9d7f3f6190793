"""Student text made safe to show: control characters escaped for terminals, formulas defused for spreadsheets."""
from __future__ import annotations

import re

# What a terminal acts on instead of showing: C0 controls (ESC starts the sequences that clear the screen,
# move the cursor or set the clipboard with OSC 52; CR rewrites the line), DEL, C1 controls (CSI, OSC as
# one character), and the bidirectional controls that reorder what is shown (U+202A-U+202E overrides and
# embeddings, U+2066-U+2069 isolates, the LRM, RLM and ALM marks), plus the Unicode line separators.
_CONTROLS = "\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
_UNSAFE_LINES = re.compile(f"[{_CONTROLS}]")  # newlines kept: text printed over several lines
_UNSAFE = re.compile(f"[{_CONTROLS}\n]")  # one line
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}

# OWASP's CSV injection guidance: a cell starting with one of these is a formula to Excel, LibreOffice and
# Google Sheets (=HYPERLINK(...), +cmd|..., -2+3, @SUM(...)); a leading single quote makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str, newlines: bool = False) -> str:
    """`text` with every control character shown as its escape (`\\x1b`, `\\r`, `\\u202e`), so that a
    terminal shows what a student wrote instead of acting on it; line breaks are kept when `newlines`."""
    return (_UNSAFE_LINES if newlines else _UNSAFE).sub(_escape, text)


def csv_text(text: str) -> str:
    """A spreadsheet-safe cell for untrusted text: a leading single quote when it starts like a formula
    (FORMULA_STARTS), or with single quotes before such a start (so that `csv_text_back` is exact)."""
    if text[:1] in FORMULA_STARTS or (text[:1] == "'" and text.lstrip("'")[:1] in FORMULA_STARTS):
        return "'" + text
    return text


def csv_text_back(cell: str) -> str:
    """The text `csv_text` was given, from the cell it made."""
    return cell[1:] if cell[:1] == "'" and cell.lstrip("'")[:1] in FORMULA_STARTS else cell


def encodable(text: str) -> str:
    """`text`, with each lone surrogate (which UTF-8 cannot encode, so that writing it would fail: a student's
    `raise ValueError("\\ud800")`, a JSON "\\udcff" escape) shown as its escape `\\ud800`."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text
