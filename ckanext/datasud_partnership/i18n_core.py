"""Messages of CKAN (and of the plugins the portal runs) that CKAN's French
catalogue leaves untranslated and that people meet on the portal's pages.

CKAN merges every plugin's catalogue with its own, so this plugin's French
catalogue translates them; listing their msgids here keeps them in it when
``bin/i18n.py`` refreshes the catalogue from the code. The French crawl
(``tests/ui/test_french_pages.py``) finds the next ones.
"""

from .common.messages import N_

CORE_MESSAGES = (
    N_("Skip to main content"),
    N_("Toggle navigation"),
    N_("Account"),
    N_("Breadcrumb"),
    N_("Search Datasets..."),
    N_("Submit"),
    N_("Placeholder"),
    N_("Licenses"),
    N_("close"),
    N_("Social"),
    N_("Profile settings"),
    N_("Profile picture"),
    N_("Profile picture URL"),
    N_("Username or Email"),
    N_("Dataset not found or you have no permission to view it"),
    N_("Unauthorized to access"),
    N_("Unpublish"),
)
