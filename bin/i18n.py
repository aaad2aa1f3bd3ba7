#!/usr/bin/env python3
"""Refresh the translation catalogues from the code: extract the messages,
merge them into fr and en, and list the French ones still untranslated.

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
        catalogue.save(str(path))
        if lang == "fr":
            missing = [e.msgid for e in catalogue if not e.obsolete and not e.translated()]
    for msgid in missing:
        print(f"fr: untranslated: {msgid}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
