"""A one-line progress bar for the generator."""

from __future__ import annotations

import sys
import time


class Progress:
    """A one-line progress bar on stderr (command-line jobs show progress, quality.md §2)."""

    def __init__(self, stream=None, enabled: bool = True):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.started = time.monotonic()
        self._last = 0.0

    def update(self, label: str, done: int, total: int, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.5:
            return
        self._last = now
        share = min(1.0, done / total) if total else 1.0
        bar = "#" * int(share * 30)
        self.stream.write(
            f"\r[{bar:<30}] {share:6.1%} {label:<22} {done:>11,}/{total:<11,} "
            f"{now - self.started:7.1f}s"
        )
        self.stream.flush()

    def done(self, label: str, total: int) -> None:
        self.update(label, total, total, force=True)
        if self.enabled:
            self.stream.write("\n")
