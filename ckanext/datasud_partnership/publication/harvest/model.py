"""Tables of harvesting under the publication gate: the declarations made
for harvest sources, and what the last import did to each dataset."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from sqlalchemy import Column, DateTime, Integer, Text
from sqlalchemy.dialects.postgresql import JSONB

from ...common.tables import PREFIX, utcnow
from . import rules as R


class HarvestDeclaration(tk.BaseModel):  # type: ignore[misc, valid-type]
    """A personal-data declaration made for a harvest source. Rows are only
    added: the newest of a source is the one that counts (if it still does)."""

    __tablename__ = PREFIX + "harvest_declaration"

    id = Column(Integer, primary_key=True, autoincrement=True)
    source_id = Column(Text, nullable=False, index=True)  # the harvest source (a dataset id)
    organization_id = Column(Text, nullable=False)
    personal_data = Column(Text, nullable=False)  # none | anonymized
    text_version = Column(Text, nullable=False)  # of the declaration text
    note = Column(Text)
    terms_version = Column(Text)  # the terms of use in force then (None: none published)
    declared_by = Column(Text, nullable=False)  # user id
    declared_at = Column(DateTime, nullable=False, default=utcnow)

    def as_rule(self) -> R.SourceDeclaration:
        return R.SourceDeclaration(
            organization_id=self.organization_id,
            personal_data=self.personal_data,
            text_version=self.text_version,
            terms_version=self.terms_version,
            declared_by=self.declared_by,
            declared_at=self.declared_at,
            note=self.note or "",
        )


class HarvestOutcome(tk.BaseModel):  # type: ignore[misc, valid-type]
    """What the last harvest import did to a dataset, and why: one row per
    dataset, replaced at each import."""

    __tablename__ = PREFIX + "harvest_outcome"

    dataset_id = Column(Text, primary_key=True)
    organization_id = Column(Text, index=True)
    source_id = Column(Text, nullable=False, index=True)
    harvest_job_id = Column(Text)
    harvest_object_id = Column(Text)
    outcome = Column(Text, nullable=False)  # harvest_rules.OUTCOMES
    # [{"condition", "field", "message" (English msgid), "params"}]: translated when read
    reasons = Column(JSONB, nullable=False, default=list)
    at = Column(DateTime, nullable=False, default=utcnow)
