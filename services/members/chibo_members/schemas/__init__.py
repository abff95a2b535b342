"""HTTP schemas (marshmallow): `inputs` validate every request, `outputs` describe answers."""
