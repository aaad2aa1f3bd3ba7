"""Sovereign publication: the gate, withdrawal, the journal, terms of use."""
