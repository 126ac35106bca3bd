"""Imports every solver module so that each registers itself."""

from . import (  # noqa: F401
    backward_induction,
    correlated,
    dominance,
    lemke_howson,
    pure,
    sequence_lcp,
    sequence_lp,
    spe,
    support_enumeration,
    vertex_enumeration,
    via_reduced_form,
    zero_sum,
)
