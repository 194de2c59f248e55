"""Each dedup unit's result, kept from one run to the next under the unit's fingerprint.

A rerun that adds 1% of pages changes a few hundred of the archive's ~10,000 units
(dedup/units.py); the others' documents, links, people and audit are read back instead of
clustered again. Stored in an indexed batch store (extract/batch_store.py) in the output's
cache: a unit's part is read only when the run has that unit, and a run writes only the parts it
resolved. Valid only for the code that wrote it: any change to the code is a full dedup.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.extract.batch_store import BatchStore, write_batch
from pipeline.extract.fingerprint import DEDUP_CODE, code_fingerprint

if TYPE_CHECKING:
    from pipeline.dedup.resolve import UnitPart

UNIT_STORE_FORMAT = "units-1"
FLUSH_BYTES = 16 << 20  # parts are written in batches of about this size, not held all run


class UnitStore:
    """Stored unit parts by fingerprint (`get`), new ones added (`put`), then `finish`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.version = f"{UNIT_STORE_FORMAT}\0{code_fingerprint(*DEDUP_CODE)}"
        self._store = BatchStore(folder, self.version, indexed=True)
        self._pending: dict[str, bytes] = {}
        self._pending_bytes = 0
        self._written = 0
        self._used: set[str] = set()

    def get(self, key: str) -> UnitPart | None:
        """The part stored for `key`; None when absent or unreadable (the unit is resolved)."""
        self._used.add(key)
        data = self._store.read(key)
        if data is None:
            return None
        try:
            part = pickle.loads(data)  # noqa: S301 - written by `put` into our cache folder
        except Exception:  # noqa: BLE001 - a damaged part only costs resolving its unit again
            return None
        return part

    def put(self, key: str, part: UnitPart) -> None:
        """Keep a freshly resolved part (written once FLUSH_BYTES are pending, or at finish)."""
        self._used.add(key)
        data = pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)
        self._pending[key] = data
        self._pending_bytes += len(data)
        if self._pending_bytes >= FLUSH_BYTES:
            self._flush()

    def _flush(self) -> None:
        self._written += write_batch(self.folder, self.version, self._pending, indexed=True)
        self._pending = {}
        self._pending_bytes = 0

    def finish(self) -> None:
        """Write what is pending and forget the units this run did not have."""
        self._flush()
        self._store.finish(self._used, self._written)
