"""The documents of an agreement: the signed PDF, as a URL or an upload.

``agreement_document_add`` (sysadmins) appends one entry to the agreement's
``documents``; nothing is ever removed (a wrong document stays on record, a
later one supersedes it). An uploaded file must be a PDF (its first bytes are
``%PDF-``, whatever the client says its type is) of at most
``ckanext.datasud_partnership.document_max_mb`` megabytes.

The files are kept in a private folder, never served as static files:
``<ckan.storage_path>/datasud_partnership/agreements/<agreement id>/<uuid>.pdf``,
written and read through CKAN 2.12's storage API (``ckan.lib.files``, a
file-keeper ``ckan:fs`` storage that computes the SHA-256 while it writes and
refuses paths leaving its folder). They are downloaded only through the view
``/agreement/<id>/document/<index>``, by the people who may read the whole
agreement (``agreement_show_full``: sysadmins and the partner's admins).
"""
