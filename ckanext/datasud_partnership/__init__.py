"""Partnership agreements and sovereign publication for regional CKAN portals."""
