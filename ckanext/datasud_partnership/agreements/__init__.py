"""Partnership agreements: kinds (data), date rules (pure), storage and actions."""
