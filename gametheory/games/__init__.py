"""Game representations."""

from .normal_form import NormalFormGame
from .profiles import Profile, normalize_profile, pure_profile

__all__ = ["NormalFormGame", "Profile", "normalize_profile", "pure_profile"]
