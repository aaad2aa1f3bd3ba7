"""axe-core (``axe-playwright-python``, which carries axe-core) over the
extension's main pages in Chromium: no critical or serious violation, one
``main`` landmark per page, headings in order. The moderate findings are
printed (``-s``) for whoever works on them."""

from __future__ import annotations

from collections import Counter

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.profile.conftest import complete
from tests.publication.conftest import DECLARATION, act

pytestmark = pytest.mark.usefixtures("partner")

# who looks at which pages
PAGES = {
    "visitor": ["/dataset/", "/dataset/parkings", "/organization/convention/cd13", "/partners"],
    "cd13-editor": [
        "/dataset/publish/musees",
        "/dataset/withdraw/parkings",
        "/dataset/journal/parkings",
        "/organization/journal/cd13",
        "/deposit/",
    ],
    "cd13-admin": ["/organization/convention/cd13", "/organization/terms/cd13", "/organization/claims/cd13"],
    "region-team": ["/ckan-admin/agreements/", "/ckan-admin/claims/", "/ckan-admin/terms-of-use/"],
}


def test_the_extension_s_pages_have_no_serious_accessibility_violation(visitor, partner):
    act("package_create", **complete("parkings", private=False, publication_declaration=DECLARATION))
    act("package_create", **complete("musees", private=True))
    pages = {
        **PAGES,
        "region-team": [*PAGES["region-team"], f"/ckan-admin/agreements/{partner['agreement']['id']}"],
    }
    axe = Axe()
    serious: list[str] = []
    moderate: Counter[str] = Counter()
    for who, paths in pages.items():
        person = visitor(who)
        if who != "visitor":
            person.login(who)
        for path in paths:
            response = person.page.goto(path)
            assert response.status == 200, (who, path, response.status)
            landmarks = person.page.locator("main, [role=main]").count()
            assert landmarks == 1, (who, path, f"{landmarks} main landmarks")
            results = axe.run(person.page).response
            for violation in results["violations"]:
                where = f"{who} {path}: {violation['id']} ({violation['impact']}) x{len(violation['nodes'])}"
                if violation["impact"] in ("critical", "serious") or violation["id"] == "heading-order":
                    targets = [n["target"] for n in violation["nodes"]][:3]
                    serious.append(f"{where} {targets}")
                else:
                    moderate[violation["id"]] += len(violation["nodes"])
    print("axe-core moderate and minor findings:", dict(moderate))
    assert not serious, "\n".join(serious)
