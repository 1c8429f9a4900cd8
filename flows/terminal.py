"""A run at a terminal: its log lines, Prefect's local API out of Ctrl-C's reach, clean stops."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from rich.console import Console


class _QuietWhileStopping(logging.Filter):
    """Keep Prefect's account of a stop (tasks failed, flow crashed) off the terminal."""

    def __init__(self) -> None:
        """Start not stopping."""
        super().__init__()
        self.stopping = threading.Event()

    def filter(self, record: logging.LogRecord) -> bool:
        """Drop Prefect's records once the run is stopping (its API still gets them)."""
        return not (self.stopping.is_set() and record.name.startswith("prefect"))


_STOP_FILTER = _QuietWhileStopping()


def log_to_terminal(console: Console, verbose: bool) -> None:
    """Print log records through `console`: warnings and errors only, or everything with -v."""
    from rich.logging import RichHandler

    # Prefect leaves a root logger that has a handler alone, so this one handler decides what
    # the terminal shows; the records still reach Prefect's API at every level (its UI shows
    # the whole run). Printed through the progress display's console, a warning appears above
    # the progress lines instead of tearing them.
    handler = RichHandler(
        console=console, show_time=False, show_path=False, markup=False, rich_tracebacks=False
    )
    handler.set_name("newsloom-terminal")
    handler.setLevel(logging.NOTSET if verbose else logging.WARNING)
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    handler.addFilter(_STOP_FILTER)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == handler.get_name()]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)


def start_local_api() -> None:
    """Start Prefect's temporary server (when no PREFECT_API_URL is set) out of Ctrl-C's reach."""
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        return
    # The terminal sends Ctrl-C to every process of the job: the server would die with it and
    # the run, unable to record its end, would hang on retries. Blocked here while the server
    # starts, SIGINT stays blocked in the server process; Prefect stops it with SIGTERM at exit.
    # Prefect's client reuses this server (one per process).
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        SubprocessASGIServer().start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def interrupts_stop_the_run() -> Iterator[None]:
    """Turn Ctrl-C and SIGTERM into a clean stop: cancel batches in flight, then unwind."""
    from transforms.workers import clear_stop, request_stop

    def stop(signum: int, _frame: FrameType | None) -> None:
        _STOP_FILTER.stopping.set()
        # Cancelling takes locks the interrupted code may hold: done in a thread of its own.
        threading.Thread(target=request_stop, name="newsloom-stop", daemon=True).start()
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    clear_stop()
    try:
        yield
    except BaseException as error:
        # SIGTERM during a flow reaches Prefect's handler first (TerminationSignal).
        if type(error).__name__ == "TerminationSignal":
            _STOP_FILTER.stopping.set()
            raise KeyboardInterrupt("SIGTERM") from error
        raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        clear_stop()
        _STOP_FILTER.stopping.clear()
