"""Imports every solver module so that each registers itself."""

from . import pure  # noqa: F401
