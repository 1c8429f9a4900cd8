"""Where batch tasks run: threads beside this machine's worker pool, or a Dask cluster."""

from __future__ import annotations

from typing import Any

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from transforms.settings import Settings

# Two batches in flight locally: one reads or writes Parquet while the other keeps the pool busy.
LOCAL_BATCHES_IN_FLIGHT = 2


def batch_task_runner(settings: Settings) -> TaskRunner:
    """Return the task runner for the batch stages that `settings` asks for."""
    if settings.task_runner == "local":
        return ThreadPoolTaskRunner(max_workers=LOCAL_BATCHES_IN_FLIGHT)
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError as error:
        raise RuntimeError(
            "task_runner 'dask' needs the dask extra: pip install 'newsloom[dask]'"
        ) from error
    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(
        cluster_class=start_local_cluster,
        cluster_kwargs={
            "n_workers": settings.dask_workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": ":0",
        },
    )


def start_local_cluster(**cluster_kwargs: Any) -> Any:
    """Start a local Dask cluster whose workers may start processes (the extraction pool)."""
    import dask
    from distributed import LocalCluster

    # Dask workers are daemonic by default, and daemonic processes cannot have children:
    # without their own pool they could not cut off a page that runs over its timeout.
    with dask.config.set({"distributed.worker.daemon": False}):
        return LocalCluster(**cluster_kwargs)


def batch_processes(settings: Settings) -> int:
    """Return how many extraction processes one batch task uses where it runs."""
    if settings.task_runner == "dask":
        from distributed import get_worker

        try:
            # On a cluster, one process per Dask worker thread: the cluster sets the parallelism.
            return get_worker().state.nthreads
        except ValueError:
            pass
    return settings.workers
