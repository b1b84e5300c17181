"""The runtime (and the harvester's connection pools) survive os.fork()."""

from __future__ import annotations

import os
import select
import signal
import sys

import pytest

import harvest

TITLE = "Leader spotlight: Erin Spiceland"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_harvest_sync_works_in_a_forked_child(site: str) -> None:
    h = harvest.Harvester(allow_private_network=True)
    # Start the runtime and fill the connection pool in the parent first.
    assert h.harvest_sync(f"{site}/article").attribution.title == TITLE

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            os.close(read_end)
            title = h.harvest_sync(f"{site}/article?child=1").attribution.title or ""
            os.write(write_end, title.encode())
            code = 0
        finally:
            os._exit(code)

    os.close(write_end)
    ready, _, _ = select.select([read_end], [], [], 60)
    if not ready:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail("the forked child hung")
    answer = os.read(read_end, 4096).decode()
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0 if sys.version_info >= (3, 9) else status == 0
    assert answer == TITLE
    # The parent keeps working too.
    assert h.harvest_sync(f"{site}/small").attribution.title == "Tide pools at dawn"
