"""Every message of the code has its French and its English translation;
bin/i18n.py fills the English catalogue from the messages (written in English)."""

import importlib.util
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


def catalogue(lang: str) -> polib.POFile:
    return polib.pofile(str(PACKAGE / "i18n" / lang / "LC_MESSAGES" / "ckanext-datasud_partnership.po"))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_message_has_a_translation(lang):
    entries = catalogue(lang)
    translated = {e.msgid for e in entries if e.msgstr and not e.obsolete and "fuzzy" not in e.flags}
    missing = sorted(code_messages() - translated)
    assert not missing, f"Run bin/i18n.py and translate ({lang}): " + "; ".join(missing)


def test_i18n_script_fills_english_and_keeps_what_is_translated():
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "bin" / "i18n.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    po = polib.POFile()
    po.append(polib.POEntry(msgid="Draft", msgstr=""))
    po.append(polib.POEntry(msgid="Withdrawn", msgstr="Withdrawn by its partner"))
    po.append(polib.POEntry(msgid="Old wording", msgstr="guessed", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="{n} dataset", msgid_plural="{n} datasets", msgstr_plural={0: "", 1: ""}))
    assert script.fill_english(po) == 3
    assert [e.msgstr for e in po][:3] == ["Draft", "Withdrawn by its partner", "Old wording"]
    assert po[3].msgstr_plural == {0: "{n} dataset", 1: "{n} datasets"}
    assert po.percent_translated() == 100
