"""What a process has loaded once started lives as long as the process: take it out of the
cyclic collector's sight, or each full collection walks all of it again. The server does
this once started (lookups' p99 went from ~50 ms to ~160 ms without it); a command does it
before its work (a 100,000-row filing spent 5 s of 54 s in full collections without it).
"""

from __future__ import annotations

import gc


def freeze_loaded() -> None:
    gc.collect()  # what is garbage now is freed, not kept forever
    gc.freeze()
