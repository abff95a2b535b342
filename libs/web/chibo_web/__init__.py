"""HTTP conventions shared by Chibo's Flask services (API.md, "Conventions for all services")."""
