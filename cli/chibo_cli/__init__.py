"""The `chibo` command: runs every service on one machine and serves operators' needs."""
