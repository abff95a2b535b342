"""Chibo reporting: projects every service's events into compliance read models; owns rulebooks."""
