"""No English on a French page: the portal's main pages, read in French by
each kind of person, carry no sentence of CKAN's (or its plugins') English
that CKAN's French catalogue leaves untranslated; this plugin's catalogue
translates them (``i18n_core.py`` keeps their msgids)."""

from __future__ import annotations

import html.parser
import re
from pathlib import Path

import polib
import pytest

from tests.profile.conftest import complete
from tests.publication.conftest import DECLARATION, act
from tests.ui.pages import login

pytestmark = pytest.mark.usefixtures("partner")


def _ckan_untranslated() -> set[str]:
    import ckan

    po = polib.pofile(str(Path(ckan.__file__).parent / "i18n" / "fr" / "LC_MESSAGES" / "ckan.po"))
    return {
        e.msgid for e in po if not e.obsolete and (not e.msgstr or e.msgstr == e.msgid) and len(e.msgid) > 3
    }


def _ours_translated() -> set[str]:
    root = Path(__file__).resolve().parents[2] / "ckanext" / "datasud_partnership" / "i18n"
    po = polib.pofile(str(root / "fr" / "LC_MESSAGES" / "ckanext-datasud_partnership.po"))
    return {e.msgid for e in po if e.msgstr and e.msgstr != e.msgid}


class Texts(html.parser.HTMLParser):
    """The texts a person reads or hears: text nodes (not scripts or styles)
    and the attributes screen readers and tooltips say."""

    ATTRIBUTES = ("placeholder", "aria-label", "title", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.texts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data)


def english_on(body: str, english: set[str]) -> set[str]:
    parser = Texts()
    parser.feed(body)
    found = set()
    for text in parser.texts:
        text = re.sub(r"\s+", " ", text).strip()
        if text in english or text.rstrip(":.") in english:
            found.add(text)
    return found


PAGES = {
    None: [
        "/",
        "/dataset/",
        "/dataset/parkings",
        "/organization/",
        "/organization/cd13",
        "/partners",
        "/organization/convention/cd13",
        "/user/login",
        "/dataset/nope-not-there",
    ],
    "cd13-editor": [
        "/dataset/musees",
        "/dataset/publish/musees",
        "/dataset/edit/musees",
        "/dataset/new",
        "/organization/journal/cd13",
        "/deposit/",
        "/dashboard/datasets",
    ],
    "cd13-admin": [
        "/organization/convention/cd13",
        "/organization/terms/cd13",
        "/organization/claims/cd13",
        "/user/edit/cd13-admin",
    ],
    "region-team": ["/ckan-admin/agreements/", "/ckan-admin/claims/", "/ckan-admin/terms-of-use/"],
}


# words CKAN leaves untranslated because French writes them the same
SAME_IN_FRENCH = {"Description", "Date", "Administration", "Type", "Version", "Source", "Facebook", "Formats"}


def test_no_english_sentence_on_the_french_pages(app):
    act("package_create", **complete("parkings", private=False, publication_declaration=DECLARATION))
    act("package_create", **complete("musees", private=True))
    english = _ckan_untranslated() - _ours_translated() - SAME_IN_FRENCH
    found: dict[str, set[str]] = {}
    for who, paths in PAGES.items():
        login(app, who)
        for path in paths:
            response = app.get(path, base_url="http://localhost", follow_redirects=False)
            leaks = english_on(response.get_data(as_text=True), english)
            if leaks:
                found[f"{who or 'visitor'} {path}"] = leaks
    assert not found, "\n".join(f"{where}: {sorted(leaks)}" for where, leaks in found.items())
