"""HTTP conventions shared by Chibo's Flask services (see API.md, "Conventions for all services")."""
