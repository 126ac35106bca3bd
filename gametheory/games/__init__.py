"""Game representations."""

from .extensive import ExtensiveFormGame
from .model import Model, Parameter
from .normal_form import NormalFormGame
from .profiles import Profile, normalize_profile, pure_profile
from .tree_builder import TreeBuilder

__all__ = [
    "ExtensiveFormGame",
    "Model",
    "NormalFormGame",
    "Parameter",
    "Profile",
    "TreeBuilder",
    "normalize_profile",
    "pure_profile",
]
