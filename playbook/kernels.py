"""Kernels for executing notebooks, over IPC sockets instead of TCP ports.

With TCP, jupyter_client picks free ports by binding and releasing them, so kernels started at
the same moment (parallel units, test workers) can race for a port and die with "Address
already in use". Unix-domain sockets in a private folder per kernel cannot collide, and nothing
listens on the network.
"""
from __future__ import annotations

import shutil
import tempfile

from jupyter_client.manager import AsyncKernelManager


class IPCKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernels talk over IPC sockets in a private temp folder.

    The socket path is absolute, so the kernel (started in the notebook's folder) and the client
    (in the caller's) agree on it; it stays short, within the 107-byte limit of socket paths.
    """

    def __init__(self, **kwargs):
        self._ipc_dir = tempfile.mkdtemp(prefix="pbk-")
        kwargs.setdefault("transport", "ipc")
        kwargs.setdefault("ip", f"{self._ipc_dir}/k")
        super().__init__(**kwargs)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        # the async manager's shutdown awaits this one (cleanup_resources is its alias)
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources
