"""Reporting's read models: the tables (`tables`) and the effective-dated tree (`tree`)."""

from chibo_reporting.read_models.tables import ReadModel, define_read_model

__all__ = ["ReadModel", "define_read_model"]
