"""Messages marked for translation where they are written and translated
where they are shown. Plain Python: the pure rules import it."""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks ``message`` (an English msgid) for the catalogue (Babel extracts
    it); the caller translates it with ``_()`` when it shows it."""
    return message
