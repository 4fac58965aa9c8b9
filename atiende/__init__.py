"""Atiende: an open-source ITIL 4 service desk."""

__version__ = "0.1.0"
