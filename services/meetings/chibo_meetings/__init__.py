"""Chibo meetings service: meetings, roll calls, resolutions and their assessment."""
