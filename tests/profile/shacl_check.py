"""The DCAT-AP SHACL shapes kept in ``tests/profile/shacl/`` (see its README)
and a validation that lists the violations: used by the SHACL tests and by
``benchmarks/dcat_shacl.py`` (the demo's catalogue).

Validated as the issue measured it: pyshacl with RDFS inference, DCAT-AP
2.1.1's mandatory-and-cardinality shapes plus its range shapes, and DCAT-AP
3.0's shapes (one file)."""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SH

FOLDER = Path(__file__).resolve().parent / "shacl"
SHAPE_FILES = {
    "DCAT-AP 2.1.1": ("dcat-ap_2.1.1_shacl_shapes.ttl", "dcat-ap_2.1.1_shacl_range.ttl"),
    "DCAT-AP 3.0": ("dcat-ap_3_shacl_shapes.ttl",),
}


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.focus} {self.path}: {self.message}"


@functools.cache
def shapes(version: str) -> Graph:
    """The shapes of ``version``, parsed once per process."""
    graph = Graph()
    for name in SHAPE_FILES[version]:
        graph.parse(FOLDER / name, format="turtle")
    return graph


def violations(data: Graph, version: str) -> list[Violation]:
    """Every sh:Violation of ``data`` against the shapes of ``version``."""
    from pyshacl import validate

    _conforms, results, _text = validate(
        data, shacl_graph=shapes(version), inference="rdfs", abort_on_first=False, allow_warnings=True
    )
    found = []
    for result in results.subjects(SH.resultSeverity, SH.Violation):
        found.append(
            Violation(
                focus=str(results.value(result, SH.focusNode)),
                path=str(results.value(result, SH.resultPath)),
                message=str(results.value(result, SH.resultMessage)),
            )
        )
    return sorted(found, key=str)


def groups(found: list[Violation]) -> Counter[str]:
    """The violations counted by property and message."""
    return Counter(f"{violation.path}: {violation.message}" for violation in found)
