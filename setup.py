from pathlib import Path

from setuptools import find_namespace_packages, setup

# The agreement kinds, the portal's lists and the demo content (config/) are
# data every web, worker and cron host reads: a wheel installs them under
# <prefix>/share/ckanext-datasud_partnership/config (common/settings.py).
SHARE = "share/ckanext-datasud_partnership"
CONFIG_FILES = [
    (f"{SHARE}/{folder.as_posix()}", sorted(str(f) for f in folder.iterdir() if f.is_file()))
    for folder in sorted({path.parent for path in Path("config").rglob("*") if path.is_file()})
]

setup(
    name="ckanext-datasud_partnership",
    version="0.1.0",
    description=(
        "Partnership agreements and sovereign publication for regional "
        "open-data portals on CKAN 2.12, with a PostgreSQL search backend"
    ),
    long_description=Path(__file__).with_name("README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",
    packages=find_namespace_packages(include=["ckanext.*"]),
    include_package_data=True,
    data_files=CONFIG_FILES,
    zip_safe=False,
    install_requires=[
        "ckan[requirements]==2.12.0",
        "ckanext-scheming==3.1.0",
        "ckanext-harvest==1.6.3",
        "ckanext-dcat==2.4.4",
        "luqum==1.0.0",
        # the letters of the agreements as PDF (agreements/letters.py); draws with
        # Debian's Pango (bin/services.sh installs it where it is missing)
        "weasyprint==70.0",
    ],
    extras_require={
        "dev": [
            "ckan[dev]==2.12.0",
            "ruff==0.17.6",
            # the suite runs on two workers, each on its own database (conftest.py)
            "pytest-xdist==3.8.0",
            # browser tests: drives Debian's chromium (bin/services.sh installs it)
            "playwright==1.65.2",
            "axe-playwright-python==0.1.8",  # axe-core for the accessibility test
            # generated bad inputs (tests/test_bad_inputs.py, benchmarks/fuzz.py)
            "hypothesis==6.170.15",
            # a production WSGI server with several processes (bin/wsgi.py): the concurrency test
            "gunicorn==27.0.1",
            # the local SMTP sink of the demo and of the e-mail tests (mail_sink.py)
            "aiosmtpd==1.4.6",
            # the DCAT-AP catalogue checked against the official SHACL shapes (tests/profile/shacl/)
            "pyshacl==0.40.1",
            # reads the generated letters' text (tests/agreements/test_legal.py)
            "pypdf==7.1.1",
        ],
    },
    entry_points={
        "ckan.plugins": [
            "datasud_partnership=ckanext.datasud_partnership.plugin:DatasudPartnershipPlugin",
            "datasud_pgsearch=ckanext.datasud_pgsearch.plugin:PgSearchPlugin",
        ],
        "ckan.rdf.profiles": [
            "datasud_dcat_ap=ckanext.datasud_partnership.profile.dcat:DatasudDCATAPProfile",
        ],
        "babel.extractors": [
            "ckan = ckan.lib.extract:extract_ckan",
        ],
    },
)
