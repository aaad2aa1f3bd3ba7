"""The web UI for partners and the portal's team: pages that call the actions."""
