"""What every concept of the plugin shares: validation, dates, tables, roles,
the current language, mail sending and the one event mechanism."""
