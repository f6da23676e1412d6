"""The model's wiring stays readable: levers apart from the model, short functions.

* No module that defines a lever imports ``thriving.sim.model`` (levers read a
  ``LeverView`` and return a ``LeverAction``).
* ``NeighbourhoodModel.step`` reads as the ODD process order (at most 60 lines), and no
  function of the simulation is over 80 lines (docstrings left out).
* ``LeverEffects`` of several levers combine exactly as the old shared arrays did.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import numpy as np
import pytest

from thriving.sim import effects, levers
from thriving.sim.effects import LeverEffects
from thriving.sim.model import NeighbourhoodModel

SIM = Path(levers.__file__).parent


def _sim_files() -> list[Path]:
    """Every module of the simulation, the network package included."""
    return sorted(SIM.rglob("*.py"))


def _imports(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_no_lever_module_imports_the_model():
    lever_modules = []
    for path in sorted(SIM.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
        defines_lever = any(
            ast.unparse(base) in ("Lever", "levers.Lever", "ABC") and "Lever" in c.name
            for c in classes
            for base in c.bases
        )
        if defines_lever:
            lever_modules.append(path.name)
            assert "thriving.sim.model" not in _imports(tree), path.name
    assert "levers.py" in lever_modules


def _function_lengths(tree: ast.AST) -> dict[str, int]:
    """Lines of each function, docstring included (a long derivation goes in the module)."""
    lengths = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lengths[node.name] = node.end_lineno - node.lineno + 1
    return lengths


def test_step_reads_as_the_process_order():
    lines = inspect.getsource(NeighbourhoodModel.step).splitlines()
    assert len(lines) <= 60, f"step() is {len(lines)} lines"


@pytest.mark.parametrize("path", _sim_files(), ids=lambda p: str(p.relative_to(SIM)))
def test_no_function_over_80_lines(path):
    lengths = _function_lengths(ast.parse(path.read_text(encoding="utf-8")))
    long = {name: n for name, n in lengths.items() if n > 80}
    assert not long, f"{path.name}: functions over 80 lines: {long}"


# ---------------------------------------------------------------------- effects


def _old_way(n: int, wards: int, sp_factors, teams, reach, relief, opening):
    """The arrays as the levers wrote them into the model before LeverEffects."""
    gp = np.zeros(n, np.float32)
    ae = np.ones(n, np.float32)
    adm = np.ones(n, np.float32)
    esc = np.ones(n, np.float32)
    slowing = np.zeros(n, np.float32)
    outreach = np.zeros(n, np.float32)
    barrier = np.zeros(n, np.float32)
    opening_w = np.zeros(wards)
    for supported, avoided, f_ae, f_adm in sp_factors:
        gp[supported] += avoided
        ae[supported] *= f_ae
        adm[supported] *= f_adm
    for caseload, reduction, esc_reduction in teams:
        slowing[caseload] = np.maximum(slowing[caseload], reduction)
        esc[caseload] *= 1.0 - esc_reduction
    for r in reach:
        np.maximum(outreach, r, out=outreach)
    for r in relief:
        np.maximum(barrier, r, out=barrier)
    for o in opening:
        np.maximum(opening_w, o, out=opening_w)
    return gp, ae, adm, esc, slowing, outreach, barrier, opening_w


def test_effects_of_several_levers_combine_as_the_old_arrays_did(rng):
    n, wards = 200, 4
    sp_factors, teams, reach, relief, opening, actions = [], [], [], [], [], []
    for _ in range(2):  # two of each kind, overlapping residents
        supported = np.sort(rng.choice(n, 80, replace=False))
        avoided = rng.random(80) / 52.0
        f_ae, f_adm = 1.0 - 0.3 * rng.random(80), 1.0 - 0.2 * rng.random(80)
        sp_factors.append((supported, avoided, f_ae, f_adm))
        gp_l, ae_l, adm_l = np.zeros(n), np.ones(n), np.ones(n)
        gp_l[supported], ae_l[supported], adm_l[supported] = avoided, f_ae, f_adm
        actions.append(
            LeverEffects(gp_avoided_per_week=gp_l, ae_multiplier=ae_l, admissions_multiplier=adm_l)
        )
        caseload = np.sort(rng.choice(n, 50, replace=False))
        red, esc_red = float(rng.random()), float(rng.random()) * 0.5
        teams.append((caseload, red, esc_red))
        slowing_l = np.zeros(n, np.float32)
        slowing_l[caseload] = red
        esc_l = np.ones(n, np.float32)
        esc_l[caseload] = 1.0 - esc_red
        actions.append(LeverEffects(need_slowing=slowing_l, escalation_multiplier=esc_l))
        reach.append(rng.random(n) * 0.05)
        relief.append(rng.random(n).astype(np.float32))
        opening.append(rng.random(wards))
        actions.append(
            LeverEffects(
                outreach=reach[-1], barrier_relief=relief[-1], opening_reduction=opening[-1]
            )
        )
    week = LeverEffects.none(n, wards)
    week.combine(LeverEffects())  # a lever with no effect changes nothing
    for action in actions:
        week.combine(action)
    gp, ae, adm, esc, slowing, outreach, barrier, opening_w = _old_way(
        n, wards, sp_factors, teams, reach, relief, opening
    )
    mods = week.modifiers
    for new, old in [
        (mods.gp_avoided_per_week, gp),
        (mods.ae_multiplier, ae),
        (mods.admissions_multiplier, adm),
        (mods.escalation_multiplier, esc),
        (week.need_slowing, slowing),
        (week.outreach, outreach),
        (week.barrier_relief, barrier),
        (week.opening_reduction, opening_w),
    ]:
        assert new.dtype == old.dtype
        np.testing.assert_array_equal(new, old)
    week.reset()
    none = LeverEffects.none(n, wards)
    for name in ("outreach", "need_slowing", "barrier_relief", "opening_reduction"):
        np.testing.assert_array_equal(getattr(week, name), getattr(none, name))
    np.testing.assert_array_equal(week.modifiers.ae_multiplier, none.modifiers.ae_multiplier)


def test_modifiers_need_the_combined_arrays():
    with pytest.raises(ValueError, match="combined"):
        _ = LeverEffects(outreach=np.zeros(3)).modifiers


def test_every_request_type_is_carried_out_by_the_model():
    source = inspect.getsource(NeighbourhoodModel._carry_out)
    for name in effects.Request.__args__:
        assert f"case {name.__name__}()" in source, name.__name__
