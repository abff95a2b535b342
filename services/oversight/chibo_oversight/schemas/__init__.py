"""HTTP schemas (marshmallow): request bodies and query strings, and what the API answers."""
