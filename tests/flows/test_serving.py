"""Missed scheduled runs: the newest overdue one is kept, the older ones cancelled."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from flows import serving


async def overdue_deployment(runs: int) -> tuple[object, list[object]]:
    """Create a deployment with `runs` scheduled runs due 10, 20, ... minutes ago (newest first)."""
    from prefect.client.orchestration import get_client
    from prefect.states import Scheduled

    async with get_client() as client:
        flow_id = await client.create_flow_from_name("serving-test")
        deployment_id = await client.create_deployment(flow_id=flow_id, name=f"missed-{runs}")
        created = []
        for number in range(1, runs + 1):
            due = datetime.now(UTC) - timedelta(minutes=10 * number)
            created.append(
                await client.create_flow_run_from_deployment(
                    deployment_id, state=Scheduled(scheduled_time=due)
                )
            )
    return deployment_id, created


async def state_types(run_ids: list[object]) -> list[str]:
    """Return the state type of each run, in order."""
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        return [(await client.read_flow_run(run_id)).state.type.value for run_id in run_ids]


@pytest.mark.parametrize("runs", [2, 3])
def test_only_the_newest_overdue_run_is_kept_across_pages(
    prefect_api: str, monkeypatch: pytest.MonkeyPatch, runs: int
) -> None:
    # Pages of 2: two runs fill one page exactly, three cross into a second page.
    monkeypatch.setattr(serving, "MISSED_RUNS_PAGE", 2)
    deployment_id, created = asyncio.run(overdue_deployment(runs))
    assert asyncio.run(serving.skip_missed_runs(deployment_id)) == runs - 1
    states = asyncio.run(state_types([run.id for run in created]))
    assert states == ["SCHEDULED"] + ["CANCELLED"] * (runs - 1)
