"""Chibo members service: the effective-dated organisation tree and the member roll."""
