"""sitrep for Python: conflict events from news reports, without the CLI.

    >>> import sitrep
    >>> r = sitrep.extract("Shelling killed 4 people in Varnot on Monday.",
    ...                    published="2021-03-08", outlet="Kestrel Post")
    >>> r["events"][0]["sub_event_type"]
    'Shelling/artillery/missile attack'

* :func:`extract` – one report in, the ``sitrep extract`` JSON object out
  (``docs/formats.md``, "Events"): the same code path as the CLI.
* :func:`extract_arrow` – a ``pyarrow.RecordBatch`` of reports in, one row
  per event out (flat columns plus the event as JSON), for bulk use
  (pandas, Spark ``mapInArrow``).
* :func:`fuse` – extracted events in, fused events (one per real-world
  event, every source's claim kept) out; :func:`fuse_arrow` for batches
  (Spark ``applyInArrow``), grouped by :func:`block_key`.

The gazetteer and the actor knowledge base ship inside the package
(``sitrep/data``); ``SITREP_DATA=/path/to/data`` overrides them. They load
once per process, on first use. Extraction and fusion release the GIL.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any, Iterable, Optional

from . import _native

__all__ = [
    "DataError",
    "block_key",
    "data_dir",
    "extract",
    "extract_arrow",
    "fuse",
    "fuse_arrow",
    "fuse_blocks",
]

DataError = _native.DataError
"""Raised when the gazetteer and actor knowledge base cannot be loaded."""


def data_dir() -> str:
    """The folder the gazetteer and actor knowledge base are read from:
    ``$SITREP_DATA`` when set, else the copy shipped in the package."""
    env = os.environ.get("SITREP_DATA")
    if env:
        return env
    return str(Path(__file__).resolve().parent / "data")


def _opt_str(name: str, v: Any) -> Optional[str]:
    if v is None:
        return None
    if hasattr(v, "isoformat") and name == "published":
        return v.isoformat()
    if not isinstance(v, str):
        raise TypeError(f"`{name}` must be a string (or None), not {type(v).__name__}")
    return v


def extract(
    text: Optional[str] = None,
    published: Any = None,
    outlet: Optional[str] = None,
    title: Optional[str] = None,
    id: Optional[str] = None,
    url: Optional[str] = None,
    *,
    html: Optional[str] = None,
) -> dict:
    """Extract the conflict events of one report.

    ``text`` is the report (or pass ``html=page``); ``published`` anchors
    relative dates (``"2017-11-09"``, ``"2017-11"``, an ISO timestamp or a
    ``datetime.date``); ``id`` becomes the document key (events are
    ``ID#e1``, ``ID#e2``…; without one, ``doc-`` + a hash of the text).

    Returns ``{"doc": {...}, "events": [...], "diagnostics": [...]}``, the
    object ``sitrep extract`` prints for the same record. Raises
    ``ValueError`` for a report with nothing to read, ``TypeError`` for
    arguments of the wrong type.
    """
    args = {
        k: _opt_str(k, v)
        for k, v in dict(
            text=text, html=html, published=published, outlet=outlet,
            title=title, id=id, url=url,
        ).items()
    }
    return json.loads(_native.extract(data_dir(), **args))


def extract_arrow(batch, threads: Optional[int] = None, errors: str = "raise"):
    """Extract the events of every report of a ``pyarrow.RecordBatch`` (or
    ``Table``).

    Input columns: ``text`` (or ``html``), and any of ``id``, ``title``,
    ``outlet``, ``published`` (string or date32), ``url``. Output: one row
    per event with ``doc_id``, ``event_id``, ``primary``, ``event_type``,
    ``sub_event_type``, ``date_start``, ``date_end``, ``date_precision``,
    ``location_name``, ``geonames_id``, ``lat``, ``lon``, ``country_code``,
    ``actor1``, ``actor2``, ``fatalities_low/best/high``, ``modality``,
    ``outlet``, ``published``, ``block`` (the fusion block key), ``event``
    (the whole event as JSON) and ``evidence_text`` (its sentences).

    ``threads``: ``None`` uses every core, ``1`` this thread only (what a
    Spark task wants). ``errors``: ``"raise"`` raises ``ValueError`` naming
    the first row that cannot be read (e.g. empty text); ``"warn"`` skips
    such rows with a warning; ``"ignore"`` skips them silently.
    """
    import pyarrow as pa

    if errors not in ("raise", "warn", "ignore"):
        raise ValueError('errors must be "raise", "warn" or "ignore"')
    if isinstance(batch, pa.Table):
        batch = batch.combine_chunks().to_batches()
        batch = batch[0] if batch else None
    if batch is None:
        return pa.RecordBatch.from_pylist([], schema=EXTRACT_SCHEMA)
    out, failed = _native.extract_arrow(data_dir(), batch, threads)
    if failed:
        if errors == "raise":
            row, msg = failed[0]
            more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
            raise ValueError(f"{msg}{more}")
        if errors == "warn":
            warnings.warn(
                f"sitrep.extract_arrow skipped {len(failed)} row(s): "
                + "; ".join(m for _, m in failed[:5]),
                stacklevel=2,
            )
    return out


def _items(items: Iterable[Any]) -> str:
    return json.dumps(list(items))


def fuse_blocks(items: Iterable[dict]) -> list:
    """Like :func:`fuse`, but per block: ``[{"block", "events",
    "skipped"}]``, with the events left out of fusion (hypothetical and
    planned ones) and why."""
    return json.loads(_native.fuse(_items(items)))


def fuse(items: Iterable[dict]) -> list:
    """Fuse extracted events into one record per real-world event.

    ``items`` are extraction results as :func:`extract` returns them (add
    the report's ``"text"`` to each to let fusion read its evidence
    sentences, for territorial extent and withdrawals), or event rows as
    :func:`extract_arrow` returns them (``batch.to_pylist()``). Returns the
    fused events (``docs/fusion.md``): ``id``, ``block``, type, date, place,
    actors, reconciled ``fatalities``, ``members``, ``sources``, every
    ``claim`` with its source chain, ``flags``, ``confidence`` and the
    ``links`` that explain the merges. The result depends only on the set
    of events, never on their order. Raises ``ValueError`` on malformed
    items or an event id given twice.
    """
    return [e for b in fuse_blocks(items) for e in b["events"]]


def fuse_arrow(batch):
    """Fuse the event rows of a ``pyarrow.RecordBatch`` or ``Table`` (the
    columns :func:`extract_arrow` returns); one row per fused event with
    flat columns and the whole record as JSON (``record``)."""
    import pyarrow as pa

    if isinstance(batch, pa.Table):
        batches = batch.combine_chunks().to_batches()
        if not batches:
            return pa.RecordBatch.from_pylist([], schema=FUSED_SCHEMA)
        batch = batches[0]
    return _native.fuse_arrow(batch)


def block_key(event) -> str:
    """The fusion block of an event (dict or JSON text): its 0.5° grid cell
    (``c{y}:{x}``), else ``g{geonames id}``, ``n{country}`` or ``none``.
    Events of different blocks are never fused, so grouping by this key
    (Spark ``groupBy("block")``) keeps fusion exact."""
    return _native.block_key(event if isinstance(event, str) else json.dumps(event))


def __getattr__(name: str):
    # The Arrow schemas, built on first use so that importing sitrep does
    # not need pyarrow.
    if name in ("EXTRACT_SCHEMA", "FUSED_SCHEMA"):
        import pyarrow as pa

        if name == "EXTRACT_SCHEMA":
            empty = _native.extract_arrow(data_dir(), pa.record_batch({"text": pa.array([], pa.string())}), 1)[0]
        else:
            empty = _native.fuse_arrow(
                pa.record_batch({"doc_id": pa.array([], pa.string()), "event": pa.array([], pa.string())})
            )
        return empty.schema
    raise AttributeError(name)
