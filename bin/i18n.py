#!/usr/bin/env python3
"""Refresh the translation catalogues from the code: extract the messages,
merge them into fr and en, fill the English catalogue, and list the French
messages still untranslated.

The messages of the code are written in English: an English entry with no
translation (new, or left fuzzy by the merge) gets its msgid as msgstr; one
already translated (a wording the English catalogue improves) is kept.

Usage: .venv/bin/python bin/i18n.py   (exit status 1 if French is incomplete)
"""

import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "ckanext" / "datasud_partnership" / "i18n"
POT = I18N / "ckanext-datasud_partnership.pot"
DOMAIN = "ckanext-datasud_partnership"


def fill_english(catalogue: polib.POFile) -> int:
    """msgstr = msgid where the English catalogue has no translation;
    returns how many entries were filled."""
    filled = 0
    for entry in catalogue:
        if entry.obsolete:
            continue
        fuzzy = "fuzzy" in entry.flags
        if fuzzy:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        if entry.msgid_plural:
            if fuzzy or not all(entry.msgstr_plural.values()):
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
                filled += 1
        elif fuzzy or not entry.msgstr:
            entry.msgstr = entry.msgid
            filled += 1
    return filled


def main() -> int:
    subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "pybabel"),
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_",
            "-k",
            "N_",
            "-k",
            "invalid:2",
            "-k",
            "RuleError:2",
            "-o",
            str(POT.relative_to(ROOT)),
            "ckanext/datasud_partnership",
        ],
        check=True,
        cwd=ROOT,  # locations relative to the repository, the same in every checkout
    )
    template = polib.pofile(str(POT))
    missing = []
    for lang in ("fr", "en"):
        path = I18N / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        catalogue = polib.pofile(str(path))
        catalogue.merge(template)
        if lang == "en":
            fill_english(catalogue)
        catalogue.save(str(path))
        if lang == "fr":
            missing = [e.msgid for e in catalogue if not e.obsolete and not e.translated()]
    for msgid in missing:
        print(f"fr: untranslated: {msgid}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
