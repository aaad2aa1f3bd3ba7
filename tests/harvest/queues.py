"""Harvests run for real: ckanext-harvest's gather and fetch consumers on the
real Redis queues (threads of the test process, each running the loop of
``ckan harvester gather-consumer`` / ``fetch-consumer``), jobs created and
closed as the web UI and ``ckan harvester run`` do, and a source portal or
DCAT catalogue served over HTTP on 127.0.0.1."""

from __future__ import annotations

import http.server
import json
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlparse

from ..publication.harvesting import RemoteCkan


class Consumer(threading.Thread):
    """One consumer: ``kind`` is ``gather`` or ``fetch``. It runs until
    ``stop()``; an exception that escapes ckanext-harvest's loop (what ends
    the ``ckan harvester ...-consumer`` process in production) is kept in
    ``error`` and ends the thread."""

    def __init__(self, kind: str, flask_app: Any) -> None:
        super().__init__(name=f"harvest-{kind}-consumer", daemon=True)
        self.kind = kind
        self.flask_app = flask_app
        self.error: BaseException | None = None
        self.handled = 0
        self._halt = threading.Event()
        self.ready = threading.Event()

    def run(self) -> None:
        from ckan import model

        from ckanext.harvest import queue

        getter = queue.get_gather_consumer if self.kind == "gather" else queue.get_fetch_consumer
        callback = queue.gather_callback if self.kind == "gather" else queue.fetch_callback
        name = queue.get_gather_queue_name() if self.kind == "gather" else queue.get_fetch_queue_name()
        try:
            with self.flask_app.test_request_context():
                consumer = getter()
                self.ready.set()
                for method, header, body in consumer.consume(queue=name):
                    if self._halt.is_set():
                        consumer.basic_ack(body)
                        break
                    callback(consumer, method, header, body)
                    self.handled += 1
                    model.Session.remove()
        except BaseException as error:  # noqa: BLE001 - what would end the process
            self.error = error
        finally:
            self.ready.set()
            model.Session.remove()

    def stop(self) -> None:
        """Wake the consumer with a message it drops, and let it end."""
        from ckanext.harvest import queue

        self._halt.set()
        if self.is_alive():
            key = queue.get_gather_routing_key() if self.kind == "gather" else queue.get_fetch_routing_key()
            field = "harvest_job_id" if self.kind == "gather" else "harvest_object_id"
            queue.get_connection().rpush(key, json.dumps({field: "stop"}))
            self.join(10)


class Consumers:
    """The gather and fetch consumers, started on empty queues."""

    def __init__(self, flask_app: Any) -> None:
        from ckanext.harvest import queue

        queue.purge_queues()
        self.gather = Consumer("gather", flask_app)
        self.fetch = Consumer("fetch", flask_app)
        for consumer in (self.gather, self.fetch):
            consumer.start()
            consumer.ready.wait(10)

    def alive(self) -> bool:
        return self.gather.is_alive() and self.fetch.is_alive()

    def errors(self) -> list[BaseException]:
        return [c.error for c in (self.gather, self.fetch) if c.error is not None]

    def stop(self) -> None:
        for consumer in (self.gather, self.fetch):
            consumer.stop()


def harvest(source_id: str, consumers: Consumers | None = None, timeout: float = 60) -> dict[str, Any]:
    """One harvest job of the source through the queues: created (and so sent
    to the gather queue) as the web UI's "Reharvest" does, then closed by
    ``harvest_jobs_run`` as ``ckan harvester run`` does from cron. Returns
    ``{"job": ..., "objects": {guid: {"report_status", "errors"}}}``; fails if
    the job does not end within ``timeout`` seconds or a consumer died."""
    import ckan.plugins.toolkit as tk
    from ckan import model

    from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestObjectError

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context = {"user": site_user, "ignore_auth": True}
    job = tk.get_action("harvest_job_create")(dict(context), {"source_id": source_id, "run": True})
    deadline = time.monotonic() + timeout
    while True:
        # ``ckan harvester run`` closes the job once its objects are done. It is
        # called when they are (cron calls it every few minutes: called every
        # instant, its ``resubmit_objects`` would queue again an object a
        # consumer has just taken, before it leaves WAITING)
        model.Session.remove()
        row = HarvestJob.get(job["id"])
        pending = (
            model.Session.query(HarvestObject.id)
            .filter(
                HarvestObject.harvest_job_id == job["id"], HarvestObject.state.notin_(["COMPLETE", "ERROR"])
            )
            .count()
        )
        if row.gather_finished is not None and not pending:
            tk.get_action("harvest_jobs_run")({**context, "session": model.Session}, {"source_id": source_id})
            model.Session.remove()
            status = HarvestJob.get(job["id"]).status
            if status == "Finished":
                break
        else:
            status = row.status
        if consumers is not None and consumers.errors():
            raise AssertionError(f"a harvest consumer died: {consumers.errors()!r}")
        if time.monotonic() > deadline:
            raise AssertionError(f"harvest job {job['id']} still {status} after {timeout} s")
        time.sleep(0.05)
    objects = {}
    for obj in model.Session.query(HarvestObject).filter_by(harvest_job_id=job["id"]):
        errors = [
            e.message for e in model.Session.query(HarvestObjectError).filter_by(harvest_object_id=obj.id)
        ]
        objects[obj.guid] = {"report_status": obj.report_status, "errors": errors, "state": obj.state}
    gather_errors = [e.message for e in HarvestJob.get(job["id"]).gather_errors]
    model.Session.remove()
    return {"job": job["id"], "objects": objects, "gather_errors": gather_errors}


# -- a source on 127.0.0.1 --------------------------------------------------------------
DCAT_PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <http://schema.org/> .
"""


def _literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _licence(licence_id: str | None) -> str:
    """The licence as a DCAT catalogue gives it: its URL, or a licence
    document with its title (what ckanext-dcat matches to the register)."""
    from ckan import model

    licence = model.Package.get_license_register().get(licence_id or "")
    if licence is None:
        return f"<https://licences.example/{licence_id}>"
    if licence.url:
        return f"<{licence.url}>"
    return f"[ a dct:LicenseDocument ; dct:title {_literal(licence.title)} ]"


def _eu_themes(themes: list[str]) -> list[str]:
    """The EU data-theme URIs of the portal's themes (config/themes.yaml)."""
    from ckanext.datasud_partnership.profile import vocabularies

    known = vocabularies.themes()
    return [uri for theme in themes if theme in known for uri in known[theme].eu_uris]


def _eu_licence(licence_id: str | None) -> str:
    """The licence as an EU or SPDX URI (the first the portal's list gives)."""
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "config" / "licenses.json"
    for licence in json.loads(path.read_text(encoding="utf-8")):
        if licence["id"] == licence_id and licence.get("uris"):
            return f"<{licence['uris'][0]}>"
    return _licence(licence_id)


class LocalSource(RemoteCkan):
    """A partner's platform on 127.0.0.1: its CKAN API (``package_search``)
    and the same datasets as a DCAT catalogue (``/catalog.ttl``, Turtle). A
    private or deleted dataset is in neither (as a CKAN portal answers an
    anonymous harvester)."""

    # themes and licences as EU catalogues write them (EU data-theme and licence URIs)
    eu_vocabularies = False

    def __init__(self) -> None:
        source = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                path = urlparse(self.path).path
                if path.endswith("/package_search"):
                    body = source.search_body(self.path)
                    kind = "application/json"
                elif path.endswith("/catalog.ttl"):
                    body = source.catalogue()
                    kind = "text/turtle"
                else:
                    self.send_error(404)
                    return
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        super().__init__(f"http://127.0.0.1:{self.server.server_address[1]}")
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def offered(self) -> list[dict[str, Any]]:
        return sorted(
            (d for d in self.datasets.values() if not d.get("private") and d.get("state") == "active"),
            key=lambda d: d["id"],
        )

    def search_body(self, url: str) -> str:
        query = parse_qs(urlparse(url).query)
        start = int(query.get("start", ["0"])[0])
        rows = int(query.get("rows", ["100"])[0])
        results = self.offered()
        page = results[start : start + rows]
        return json.dumps({"success": True, "result": {"count": len(results), "results": page}})

    def catalogue(self) -> str:
        lines = [DCAT_PREFIXES, f"<{self.url}/catalog> a dcat:Catalog ;", ' dct:title "Catalogue" ;']
        datasets = self.offered()
        if datasets:
            lines.append(
                " dcat:dataset " + ", ".join(f"<{self.url}/dataset/{d['id']}>" for d in datasets) + " ."
            )
        else:
            lines[-1] = lines[-1].rstrip(" ;") + " ."
        for d in datasets:
            uri = f"{self.url}/dataset/{d['id']}"
            licence = (
                _eu_licence(d.get("license_id")) if self.eu_vocabularies else _licence(d.get("license_id"))
            )
            body = [
                f"<{uri}> a dcat:Dataset ;",
                f"  dct:identifier {_literal(d['id'])} ;",
                f"  dct:title {_literal(d['title'])} ;",
                f"  dct:description {_literal(d['notes'])} ;",
                f'  dct:modified "{d["metadata_modified"]}"^^xsd:dateTime ;',
            ]
            body += [f"  dcat:keyword {_literal(t['name'])} ;" for t in d.get("tags", [])]
            if self.eu_vocabularies:
                body += [f"  dcat:theme <{uri}> ;" for uri in _eu_themes(d.get("theme", []))]
            else:
                body += [f"  dcat:theme {_literal(theme)} ;" for theme in d.get("theme", [])]
            if d.get("temporal_start"):
                body.append(
                    f'  dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "{d["temporal_start"]}"^^xsd:date ] ;'
                )
            if d.get("spatial_text"):
                body.append(
                    f"  dct:spatial [ a dct:Location ; skos:prefLabel {_literal(d['spatial_text'])} ] ;"
                )
            for number in range(len(d.get("resources", []))):
                body.append(f"  dcat:distribution <{uri}/distribution/{number}> ;")
            body[-1] = body[-1].rstrip(" ;") + " ."
            lines += body
            for number, resource in enumerate(d.get("resources", [])):
                lines += [
                    f"<{uri}/distribution/{number}> a dcat:Distribution ;",
                    f"  dct:title {_literal(resource['name'])} ;",
                    f"  dct:format {_literal(resource['format'])} ;",
                    f"  dct:license {licence} ;",
                    f"  dcat:accessURL <{resource['url']}> .",
                ]
        return "\n".join(lines) + "\n"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
