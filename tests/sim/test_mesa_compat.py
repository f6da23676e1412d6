"""Thriving keeps off the names Mesa defines on Model and Agent (Mesa 3.3 to 3.5).

Mesa 3.5 added ``Model.scenario``, a property whose setter writes ``scenario.model =
self``; Thriving used to store its frozen pydantic scenario there, and every run on
Python 3.12+ (which resolves Mesa 3.5) failed. These tests fail if the model, or one of
its agents, sets or defines a name that any supported Mesa release uses, except the
ones Thriving uses as Mesa means them.
"""

from __future__ import annotations

import mesa
import pytest

from thriving.config.schema import Scenario
from thriving.sim.agents import CommunityGroup, Resident, Service
from thriving.sim.model import NeighbourhoodModel

#: Every attribute, property and method of ``mesa.Model`` in Mesa 3.3.1, 3.4.2 and 3.5.1
#: (read with ``vars`` over an instance and its class hierarchy), so the check holds
#: on 3.11, where only Mesa 3.3 installs, as well as on 3.12+.
MESA_MODEL_NAMES = frozenset(
    """
    _advance_time _agents _agents_by_type _all_agents _batch_context _default_schedule
    _do_step _event_generators _event_list _has_subscribers _mesa_notify _process_name
    _process_signal_type _rng _scenario _seed _simulator _suppress _time _user_step
    _wrapped_step agent_id_counter agent_types agents agents_by_type batch
    clear_all_subscriptions data_registry deregister_agent notify observables observe
    random register_agent remove_all_agents reset_randomizer reset_rng rng run_for
    run_model run_until running scenario schedule_event schedule_recurring step steps
    subscribers suppress time unobserve
    """.split()
)

#: The same for ``mesa.Agent``.
MESA_AGENT_NAMES = frozenset(
    """
    _datasets _ids advance create_agents from_dataframe model pos random remove rng
    scenario step unique_id
    """.split()
)

#: Names Thriving uses as Mesa means them: the week is ``step``; an agent knows its
#: ``model``; a resident view's ``unique_id`` is its slot.
USED_AS_MESA_MEANS = frozenset({"step", "model", "unique_id"})


def _mesa_names(cls: type) -> set[str]:
    return {n for c in cls.__mro__ for n in vars(c)}


def _own_class_names(cls: type, base: type) -> set[str]:
    """Names a class defines itself, above ``base`` in its hierarchy.

    Mesa 3.5 puts names of its own into every subclass (``observables`` on a model,
    ``_datasets`` on an agent); those of an empty subclass are left out.
    """
    empty = type("Empty", (base,), {})
    own: set[str] = set()
    for c in cls.__mro__:
        if c is base:
            break
        own |= {n for n in vars(c) if not n.startswith("__")}
    return own - set(vars(empty))


@pytest.fixture(scope="module")
def model() -> NeighbourhoodModel:
    s = Scenario(
        name="mesa-compat",
        population={"residents": 500},
        horizon={"years": 1, "burn_in_years": 0},
    )
    return NeighbourhoodModel(s, seed=1)


def test_the_installed_mesa_is_covered():
    installed = _mesa_names(mesa.Model) - {n for n in vars(object)} - {"__dict__"}
    installed = {n for n in installed if not n.startswith("__")}
    missing = installed - MESA_MODEL_NAMES
    assert not missing, f"Mesa {mesa.__version__} defines names this test does not know: {missing}"


def test_model_sets_no_mesa_attribute(model):
    plain = mesa.Model(rng=1)
    ours = set(vars(model)) - set(vars(plain))
    clash = (ours & MESA_MODEL_NAMES) - USED_AS_MESA_MEANS
    assert not clash, f"NeighbourhoodModel sets Mesa's own attributes: {sorted(clash)}"


def test_model_defines_no_mesa_method(model):
    clash = (_own_class_names(NeighbourhoodModel, mesa.Model) & MESA_MODEL_NAMES) - (
        USED_AS_MESA_MEANS
    )
    assert not clash, f"NeighbourhoodModel overrides Mesa's own names: {sorted(clash)}"


def test_scenario_is_not_stored_where_mesa_keeps_its_own(model):
    # Mesa 3.5's Model.scenario is Mesa's parameter object; Thriving's resolved
    # scenario lives in model.settings.
    assert isinstance(model.settings, Scenario)
    assert not isinstance(getattr(model, "scenario", None), Scenario)


@pytest.mark.parametrize("cls", [Resident, CommunityGroup, Service])
def test_agents_define_no_mesa_attribute(model, cls):
    clash = (_own_class_names(cls, mesa.Agent) & MESA_AGENT_NAMES) - USED_AS_MESA_MEANS
    assert not clash, f"{cls.__name__} overrides Mesa's own names: {sorted(clash)}"
    agent = next(iter(model.services.values())) if cls is Service else None
    if agent is not None:
        plain = mesa.Agent(mesa.Model(rng=1))
        ours = set(vars(agent)) - set(vars(plain))
        assert not (ours & MESA_AGENT_NAMES) - USED_AS_MESA_MEANS


def test_a_run_steps_mesa_as_mesa_counts(model):
    # Mesa counts calls to step() in `steps` (3.3 to 3.5); Thriving's own week counter
    # must agree with it, not replace it.
    before = model.steps
    model.step()
    assert model.steps == before + 1
    assert model.week == model.steps


def test_mesa_run_model_stops_at_the_horizon_with_the_same_result():
    # Mesa's own loop (while model.running: model.step()) used to run past the horizon
    # and fail with an IndexError in the recorder.
    s = Scenario(
        name="run-model",
        population={"residents": 500},
        horizon={"years": 1, "burn_in_years": 1},
    )
    by_mesa = NeighbourhoodModel(s, seed=3)
    by_mesa.run_model()
    assert not by_mesa.running
    assert by_mesa.week == by_mesa.steps == s.weeks
    ours = NeighbourhoodModel(s, seed=3).run()
    mine = by_mesa.result()
    assert mine.timeseries.equals(ours.timeseries)
    assert mine.summary == ours.summary
