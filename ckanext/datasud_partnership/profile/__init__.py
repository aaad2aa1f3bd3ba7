"""The portal's metadata profile: scheming schemas, licences, themes,
validators, the likely-duplicate warning and the DCAT-AP output."""
