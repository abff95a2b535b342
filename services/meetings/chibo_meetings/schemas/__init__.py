"""HTTP schemas of the meetings API: request bodies in `requests`, answers in `responses`."""
