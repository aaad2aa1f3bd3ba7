"""Test helpers for harvesting: a remote CKAN answered by ``responses``, and
a harvest job run through ckanext-harvest's own gather / fetch / import
stages (its ``run_harvest_job`` test helper, which skips the queues)."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlparse

import responses

REMOTE = "https://opendata.remote.example"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat()


class RemoteCkan:
    """A remote CKAN portal: its ``package_search`` pages, as CKAN answers them."""

    def __init__(self, url: str = REMOTE) -> None:
        self.url = url
        self.datasets: dict[str, dict[str, Any]] = {}

    def add(self, name: str, **fields: Any) -> dict[str, Any]:
        dataset_id = str(uuid.uuid4())
        dataset = {
            "id": dataset_id,
            "name": name,
            "title": f"Jeu {name}",
            "notes": "Données publiées par le partenaire.",
            "license_id": "cc-by",
            "license_title": "Creative Commons Attribution",
            "private": False,
            "state": "active",
            "type": "dataset",
            "tags": [{"name": "mobilite"}],
            # what the metadata profile requires for publication
            "theme": ["mobilite"],
            "spatial_text": "Région Sud",
            "temporal_start": "2026-01-01",
            "resources": [
                {
                    "id": str(uuid.uuid4()),
                    "name": "Fichier",
                    "url": f"{self.url}/dl/{name}.csv",
                    "format": "CSV",
                }
            ],
            "extras": [],
            "groups": [],
            "owner_org": "remote-org-id",
            "organization": {"id": "remote-org-id", "name": "remote-org"},
            "metadata_created": "2026-01-05T10:00:00",
            "metadata_modified": "2026-01-05T10:00:00",
        }
        dataset.update(fields)
        self.datasets[dataset_id] = dataset
        return dataset

    def change(self, dataset_id: str, **fields: Any) -> None:
        self.datasets[dataset_id].update(fields, metadata_modified=_now())

    def _search(self, request: Any) -> tuple[int, dict[str, str], str]:
        query = parse_qs(urlparse(request.url).query)
        start = int(query.get("start", ["0"])[0])
        rows = int(query.get("rows", ["100"])[0])
        results = sorted(self.datasets.values(), key=lambda d: d["id"])
        page = results[start : start + rows]
        body = {"success": True, "result": {"count": len(results), "results": page}}
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    def serve(self, mock: responses.RequestsMock) -> None:
        mock.add_callback(
            responses.GET,
            re.compile(re.escape(self.url) + r"/api/3/action/package_search.*"),
            callback=self._search,
        )


def run_job(source_id: str) -> dict[str, Any]:
    """Run one harvest job of the source, as ckanext-harvest would: gather,
    fetch and import each object, then close the job. Returns ckanext-harvest's
    results by guid (state, report_status, errors)."""
    from ckan import model
    from ckan.plugins import toolkit

    from ckanext.harvest.harvesters.ckanharvester import CKANHarvester
    from ckanext.harvest.model import HarvestJob
    from ckanext.harvest.tests.lib import run_harvest_job

    job = toolkit.get_action("harvest_job_create")(
        {"ignore_auth": True}, {"source_id": source_id, "run": False}
    )
    results = run_harvest_job(HarvestJob.get(job["id"]), CKANHarvester())
    model.Session.remove()
    return results
