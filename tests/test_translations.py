"""Every message of the code has its French translation."""

from pathlib import Path

import polib
import pytest
from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ckanext" / "datasud_partnership"
KEYWORDS = {"_": None, "N_": None, "invalid": (2,), "RuleError": (2,)}


@pytest.fixture(autouse=True)
def load_standard_plugins():
    """No CKAN needed (overrides conftest's)."""


def code_messages() -> set[str]:
    found = extract_from_dir(
        str(PACKAGE),
        method_map=[
            ("**.py", "python"),
            ("**/templates/**.html", "ckan"),
            ("**/templates/**.txt", "ckan"),
        ],
        keywords=KEYWORDS,
    )
    return {message for _file, _line, message, _comments, _context in found if isinstance(message, str)}


def test_every_message_has_a_french_translation():
    french = polib.pofile(str(PACKAGE / "i18n" / "fr" / "LC_MESSAGES" / "ckanext-datasud_partnership.po"))
    translated = {entry.msgid for entry in french if entry.msgstr and not entry.obsolete}
    missing = sorted(code_messages() - translated)
    assert not missing, "Run bin/i18n.py and translate: " + "; ".join(missing)
