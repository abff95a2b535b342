"""Query tables of the members service, written in each command's own transaction."""
