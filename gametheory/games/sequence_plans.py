"""Plans, best responses and regrets over the sequences of a tree (mixed into the sequence form).

Realisation plans of behaviour, behaviour of plans, pure best responses, the
plans on a pure strategy's sequences in terms of the rest (for Lemke's
method) and Nash regrets.  The recursions over sequences run for all players
at once over the joint numbering of :mod:`.sequence_levels`.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from .. import numbers as nb
from ..exceptions import InvalidProfileError
from .sequence_levels import backward_best, forward_products, pure_coefficients


class SequencePlansMixin:
    """Methods of :class:`~gametheory.games.sequence_form.SequenceForm` on plans and strategies.

    They use the sequence form's ``game``, ``joint``, ``terminal_sequences``,
    sizes, constraints and chance weights.
    """

    # ------------------------------------------------------------------ strategies
    def pure_best_response(
        self, player: int, values: np.ndarray, exact: bool = False
    ) -> tuple[Any, np.ndarray]:
        """A pure best response given the payoff of each of the player's sequences.

        Parameters
        ----------
        player
            Player number.
        values
            Payoff contribution of each sequence against fixed opponents (e.g.
            ``A @ y`` for player 1): what the terminals whose last own action
            is the sequence pay, weighted by the others' reach.
        exact
            Object arrays of ``Fraction``.

        Returns
        -------
        value, choice
            The best-response payoff, and for each of the player's information
            sets (constraint rows ``1..``) the sequence of a best action: the
            first best one, chosen at every information set, reachable or not.
        """
        zero = Fraction(0) if exact else 0.0
        given = [values if i == player else None for i in range(self.num_players)]
        best, choices = self.pure_best_responses(given, exact, zero)
        return best[player], choices[player]

    def pure_best_responses(
        self, values: Sequence[Any], exact: bool = False, fill: Any = None
    ) -> tuple[list[Any], list[np.ndarray]]:
        """:meth:`pure_best_response` for every player in one pass.

        ``values[i]`` are player ``i``'s sequence payoffs (``None``: all
        ``fill``).  Returns each player's best-response value and choice.
        """
        joint = self.joint
        off = joint.offsets.tolist()
        val = np.empty(off[-1], dtype=object if exact else np.float64)
        for i, v in enumerate(values):
            val[off[i] : off[i + 1]] = fill if v is None else v
        choice = np.zeros(int(joint.set_offsets[-1]), dtype=np.int64)
        backward_best(joint, val, choice)
        so = joint.set_offsets.tolist()
        return (
            [val[off[i]] for i in range(len(values))],
            [choice[so[i] : so[i + 1]] - off[i] for i in range(len(values))],
        )

    def pure_strategy_bases(
        self, chosen: Sequence[np.ndarray]
    ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Plans in terms of the sequences that given pure strategies leave free.

        Parameters
        ----------
        chosen
            Per player, the sequence of one action at every information set
            (by constraint row), as returned by :meth:`pure_best_response`.

        Returns
        -------
        list of (S, N, X)
            Per player: ``S`` is the empty sequence followed by ``chosen``,
            ``N`` the other sequences (ascending), and every plan ``x`` with
            ``E x = e x_0`` is ``x = X @ concat([x_0], x[N])`` (integer
            coefficients; ``X[N]`` is the identity on ``N``).
        """
        joint = self.joint
        off = joint.offsets.tolist()
        jchosen = np.concatenate(
            [np.asarray(c, dtype=np.int64) + off[i] for i, c in enumerate(chosen)]
        )
        coef, free = pure_coefficients(joint, jchosen)
        cuts = np.searchsorted(free, off).tolist()
        out = []
        for i, c in enumerate(chosen):
            S = np.concatenate([[0], c]).astype(np.int64)
            N = free[cuts[i] + 1 : cuts[i + 1]] - off[i]
            out.append((S, N, coef[off[i] : off[i + 1], cuts[i] : cuts[i + 1]]))
        return out

    def regrets(self, behavior: np.ndarray) -> np.ndarray:
        """Each player's Nash regret of a float behaviour vector (one entry per action).

        For every player, ``q[s]`` adds up the payoffs of the terminals whose
        last own action is ``s``, weighted by chance and by the other players'
        realisation plans; the regret is the best-response value of ``q`` (one
        backward pass over the information sets) minus ``q @ x``, the value
        of the player's own plan ``x``.  The same numbers as
        :func:`gametheory.games.behavior.regrets`, computed over sequences.
        """
        return self.regrets_and_reach(behavior)[0]

    def regrets_and_reach(self, behavior: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`regrets`, and the probability of reaching each terminal node.

        Both come from the behaviour's realisation plans: a terminal is
        reached with the product of its chance weight and every player's
        plan at the terminal's sequences.
        """
        joint = self.joint
        off = joint.offsets
        n = self.num_players
        x = self._joint_plans(np.asarray(behavior, dtype=np.float64), False)
        seqs = self.terminal_sequences + off[:-1]
        at = x[seqs]
        chance = self._chance_weights(False)
        weighted = chance[:, None] * self.game.float_payoffs()
        if n == 2:
            others = weighted * at[:, ::-1]
        else:
            others = np.stack(
                [weighted[:, i] * np.prod(np.delete(at, i, axis=1), axis=1) for i in range(n)],
                axis=1,
            )
        q = np.bincount(seqs.ravel(), others.ravel(), minlength=joint.num_sequences)
        mine = np.add.reduceat(q * x, off[:-1])
        best = backward_best(joint, q)[off[:-1]]
        return np.maximum(best - mine, 0.0), chance * at.prod(axis=1)

    # ------------------------------------------------------------------ plans <-> behaviour
    def realization_plan(
        self, behavior: np.ndarray, player: int, exact: bool = False
    ) -> np.ndarray:
        """The realisation plan of a player's part of a behaviour vector (one entry per action).

        ``x[s]`` is the product of the behaviour probabilities of the actions
        in sequence ``s``.
        """
        return self.realization_plans(behavior, exact)[player]

    def realization_plans(self, behavior: np.ndarray, exact: bool = False) -> list[np.ndarray]:
        """Every player's realisation plan of a behaviour vector (one pass for all)."""
        behavior = np.asarray(behavior, dtype=object if exact else np.float64)
        if behavior.shape != (self.game.num_actions,):
            raise InvalidProfileError(
                f"a behaviour vector needs {self.game.num_actions} entries (one per action)"
            )
        x = self._joint_plans(behavior, exact)
        off = self.joint.offsets.tolist()
        return [x[off[i] : off[i + 1]] for i in range(len(off) - 1)]

    def _joint_plans(self, behavior: np.ndarray, exact: bool) -> np.ndarray:
        one = Fraction(1) if exact else 1.0
        factor = np.append(behavior, one)[self.joint.seq_action]  # -1: the empty sequences
        return forward_products(self.joint, factor, one)

    def behavior_from_plans(
        self, plans: Any, exact: bool = False, validate: bool = True
    ) -> np.ndarray:
        """The behaviour vector of realisation plans (one plan per player).

        At an information set whose sequence has probability 0 (ruled out by
        the player's own earlier choices) the actions are played uniformly;
        there the behaviour does not change any payoff.

        Parameters
        ----------
        plans
            One realisation plan per player.
        exact
            ``Fraction`` arithmetic.
        validate
            Float only: ``False`` skips the game's check of the vector (for a
            caller that checks it anyway, such as the result verification).

        Returns
        -------
        numpy.ndarray
            One probability per action (chance actions carry the chance
            probabilities), validated by the game unless ``validate=False``.
        """
        if exact:
            validate = True
        game = self.game
        if len(plans) != self.num_players:
            raise InvalidProfileError(f"need {self.num_players} realisation plans")
        dtype = object if exact else np.float64
        parts = []
        for i, x in enumerate(plans):
            x = np.asarray(x, dtype=dtype)
            if x.shape != (self.num_sequences(i),):
                raise InvalidProfileError(
                    f"{game.players[i]} has {self.num_sequences(i)} sequences, "
                    f"got a plan of length {x.size}"
                )
            parts.append(x)
        joint = self.joint
        x = np.concatenate(parts)
        if not exact:
            x = np.clip(x, 0.0, None)
        seqs = joint.action_seqs
        reach = x[joint.seq_parent[seqs]]
        vals = x[seqs]
        sets = joint.seq_set[seqs]
        k = game.infoset_num_actions[sets]
        if exact:
            share = np.array(
                [v / r if r != 0 else Fraction(1, int(n)) for v, r, n in zip(vals, reach, k)],
                dtype=object,
            )
        else:
            ok = reach > nb.PROB_TOL
            share = np.where(ok, vals / np.where(ok, reach, 1.0), 1.0 / k)
            # renormalise each information set (rounding of a float plan)
            sums = np.zeros(game.num_infosets)
            np.add.at(sums, sets, share)
            total = sums[sets]
            share = np.where(total > 0, share / np.where(total > 0, total, 1.0), 1.0 / k)
        vec = np.zeros(game.num_actions, dtype=dtype)
        vec[joint.seq_action[seqs]] = share
        if not validate:
            chance = ~game._player_action
            vec[chance] = game.float_probabilities()[chance]
            return vec
        return game.behavior_vector(vec, exact=exact)

    def check_plan(self, x: Any, player: int, exact: bool = False) -> None:
        """Raise :class:`InvalidProfileError` unless ``x >= 0`` and ``E x = e`` (within 1e-9)."""
        if exact:
            rows, cols, vals = self.constraint_entries(player)
            res = [Fraction(0)] * self.num_constraints(player)
            for r, c, v in zip(rows.tolist(), cols.tolist(), vals.tolist()):
                res[r] += v * x[c]
            res[0] -= 1
            bad = any(v < 0 for v in x) or any(r != 0 for r in res)
        else:
            x = np.asarray(x, dtype=np.float64)
            res = self.constraint_matrix(player) @ x - self.constraint_rhs(player)
            bad = bool(np.any(x < -1e-9) or np.any(np.abs(res) > 1e-9))
        if bad:
            raise InvalidProfileError(
                f"not a realisation plan of {self.game.players[player]}: it must be "
                "non-negative and satisfy the sequence-form constraints"
            )
