"""Game representations."""

from .model import Model, Parameter
from .normal_form import NormalFormGame
from .profiles import Profile, normalize_profile, pure_profile

__all__ = ["Model", "NormalFormGame", "Parameter", "Profile", "normalize_profile", "pure_profile"]
