"""Standardising distinct values on a pool of worker processes (or in this one), chunk by chunk;
a lost worker costs time, never the run."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from typing import TypeAlias

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from mdm.hub.register import register
from mdm.hub.sql import ident
from mdm.standardise.contexts import parse_context_key
from mdm.standardise.keys import sort_sql
from mdm.standardise.registry import get
from mdm.standardise.schema import ensure_cache

log = logging.getLogger(__name__)

_CHUNK = 5_000

@dataclass
class _Pending:
    """A chunk on the worker pool, with what it was given: should its worker die (a crash in a
    library it runs, the OOM killer), the chunk is standardised here instead, so a lost worker
    costs time, never the run."""

    future: Future[pa.RecordBatch]
    std_name: str
    ctx_key: str
    values: pa.Array

    def result(self) -> pa.RecordBatch:
        try:
            return self.future.result()
        except BrokenProcessPool as exc:
            log.warning("a standardise worker stopped (%s); its %s values of %s are standardised in this process",
                        exc, len(self.values), self.std_name)
            return _apply_chunk(self.std_name, self.ctx_key, self.values)


_Part: TypeAlias = "_Pending | pa.RecordBatch"


@dataclass
class FillJob:
    """The new (context, value) pairs of one standardiser, being standardised."""

    std_name: str
    new: int
    cached: int
    parts: list[_Part]


class _SharedPool:
    """The pool stages share inside :func:`shared_workers`, with the worker count it was made for."""

    pool: ProcessPoolExecutor | None = None
    workers = 0
    depth = 0


@contextmanager
def shared_workers() -> Iterator[None]:
    """Standardise stages run inside share one worker pool (one stage per source in a run).

    The workers' own caches (street templates, parsed tokens, name and phone look-ups) then
    stay warm from one source to the next instead of starting cold in a fresh pool each time:
    at 1M records that made addresses cost 89 us each instead of about 60.
    """
    _SharedPool.depth += 1
    try:
        yield
    finally:
        _SharedPool.depth -= 1
        if _SharedPool.depth == 0 and _SharedPool.pool is not None:
            _SharedPool.pool.shutdown(wait=True, cancel_futures=True)
            _SharedPool.pool = None


def _new_pool(workers: int) -> ProcessPoolExecutor:
    # fork: workers inherit the loaded models (usaddress' CRF, phone metadata) and run only
    # pure-Python standardisers, never DuckDB, so the parent's DuckDB threads are no concern
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork"))


class Runner:
    """Runs standardiser chunks here, or on a fork pool when the stage's table is large.

    One pool serves the whole stage (or, inside :func:`shared_workers`, every stage) and chunks
    of several standardisers queue on it together, so both cores stay busy while this process
    runs the SQL in between. (Deciding per batch left every batch under the threshold running
    here, one after the other, blocking the SQL.) Values go to the workers and results come back
    as Arrow arrays, never as Python lists: at 1M records that is 2.6M values, and building,
    pickling and unpickling lists of them cost this process (which runs the SQL meanwhile)
    about a fifth of the stage.
    """

    def __init__(self, workers: int | None, *, parallel: bool) -> None:
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.parallel = parallel and self.workers > 1
        self.pool: ProcessPoolExecutor | None = None
        self.own_pool = False
        self.futures: list[Future[pa.RecordBatch]] = []

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.own_pool and self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        else:  # a shared pool outlives the stage: drop what this stage left queued after an error
            for future in self.futures:
                future.cancel()
        self.pool = None

    def _pool(self) -> ProcessPoolExecutor:
        if self.pool is not None:
            return self.pool
        if _SharedPool.depth:
            shared = _SharedPool.pool
            if shared is None or _SharedPool.workers != self.workers or getattr(shared, "_broken", False):
                if shared is not None:
                    shared.shutdown(wait=True, cancel_futures=True)
                _SharedPool.pool, _SharedPool.workers = _new_pool(self.workers), self.workers
            self.pool = _SharedPool.pool
        else:
            self.pool, self.own_pool = _new_pool(self.workers), True
        assert self.pool is not None
        return self.pool

    def submit(self, std_name: str, ctx_key: str, values: pa.ChunkedArray) -> list[_Part]:
        if not self.parallel:
            return [_apply_chunk(std_name, ctx_key, values.combine_chunks())]
        pool = self._pool()
        parts: list[_Part] = []
        for i in range(0, len(values), _CHUNK):
            chunk = values.slice(i, _CHUNK).combine_chunks()  # a slice pickles its whole parent buffer
            try:
                future = pool.submit(_apply_chunk, std_name, ctx_key, chunk)
            except BrokenProcessPool:  # a worker died earlier: the rest of the stage runs here
                parts.append(_apply_chunk(std_name, ctx_key, chunk))
                continue
            self.futures.append(future)
            parts.append(_Pending(future, std_name, ctx_key, chunk))
        return parts


def start_fill(con: duckdb.DuckDBPyConnection, columns: Sequence[str], std_name: str, runner: Runner) -> FillJob:
    """Find the distinct (context, value) pairs of ``columns`` the cache lacks and start on them."""
    std = get(std_name)
    ensure_cache(con, std.name)
    union = " UNION ".join(f"SELECT {ident('_ctx__' + c)} AS ctx, {ident('_key__' + c)} AS raw FROM _std_in "
                           f"WHERE {ident('_key__' + c)} IS NOT NULL" for c in columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _std_distinct AS SELECT DISTINCT ctx, raw FROM ({union})")
    todo = con.sql(
        f"""SELECT d.ctx, d.raw FROM _std_distinct d ANTI JOIN std_cache__{std.name} c
            ON c.ctx = d.ctx AND c.raw = d.raw ORDER BY d.ctx, {sort_sql(std.name)}d.raw""").to_arrow_table()
    total = con.execute("SELECT count(*) FROM _std_distinct").fetchone()
    con.execute("DROP TABLE _std_distinct")
    job = FillJob(std.name, todo.num_rows, (int(total[0]) if total else 0) - todo.num_rows, [])
    if not todo.num_rows:
        return job
    # ordered by context: one batch per run of rows sharing a context, read off the rows themselves
    runs = pc.run_end_encode(todo.column("ctx").combine_chunks())
    start = 0
    for end, ctx_key in zip(runs.run_ends.to_pylist(), runs.values.to_pylist(), strict=True):
        job.parts += runner.submit(std.name, str(ctx_key), todo.column("raw").slice(start, end - start))
        start = end
    return job


def finish_fill(con: duckdb.DuckDBPyConnection, job: FillJob,
                 done: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Wait for a job's results and add them to its cache, telling ``done`` the values of each
    chunk as it arrives. Returns (new, already cached) counts."""
    if not job.new:
        return 0, job.cached
    std = get(job.std_name)
    batches: list[pa.RecordBatch] = []
    for part in job.parts:
        batches.append(part.result() if isinstance(part, _Pending) else part)
        if done is not None:
            done(batches[-1].num_rows)
    register(con, "_std_new", pa.Table.from_batches(batches))
    field_list = ", ".join(ident(f) for f in ("ctx", "raw", *std.fields))
    con.execute(f"INSERT INTO std_cache__{std.name} ({field_list}) SELECT {field_list} FROM _std_new")
    con.unregister("_std_new")
    return job.new, job.cached


def _text(v: object) -> str | None:
    if v is None:
        return None
    return str(v).lower() if isinstance(v, bool) else str(v)


def _apply_chunk(name: str, ctx_key: str, values: pa.Array) -> pa.RecordBatch:
    """Standardise ``values`` in one context: a batch of ctx, raw and the standardiser's fields."""
    std = get(name)
    ctx = parse_context_key(ctx_key)
    func = std.func
    raws: list[str] = values.to_pylist()
    rows = [tuple(func(v, ctx).values()) for v in raws]
    columns: list[list[object]] = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in std.fields]
    columns[1] = [bool(v) for v in columns[1]]
    for i in range(3, len(columns)):
        columns[i] = [_text(v) for v in columns[i]]
    arrays = [pa.array([ctx_key] * len(raws), pa.string()), values.cast(pa.string())]
    arrays += [pa.array(c, pa.bool_() if f == "valid" else pa.string())
               for f, c in zip(std.fields, columns, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, names=["ctx", "raw", *std.fields])
