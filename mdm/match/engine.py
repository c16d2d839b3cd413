"""Where Splink runs: its own in-memory DuckDB, or Spark through ``SparkAPI``.

Splink never touches the hub: the feature table arrives as Arrow, is registered with
the engine, and results come back as Arrow for the caller to write. That keeps the hub's
open transaction (a run is atomic) out of Splink's way, and it is what lets the same
code run on Spark when the data outgrows one machine.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import pyarrow as pa

from mdm.errors import MdmError
from mdm.match.rules import MatchRules
from mdm.memory import default_limit

log = logging.getLogger("mdm.match")


class EngineError(MdmError):
    """The configured match engine cannot be started (e.g. pyspark missing)."""

    code = "match.engine"


class Engine:
    """A Splink database API plus the two conversions the match stage needs."""

    name = "engine"

    def __init__(self, db_api: Any) -> None:
        self.db_api = db_api

    def register(self, table: pa.Table, name: str | None = None) -> Any:
        """Register an Arrow table with Splink; returns the SplinkDataFrame."""
        if name is None:
            return self.db_api.register(table)
        return self.db_api.register(table, table_name=name)

    def to_arrow(self, frame: Any, columns: list[str] | None = None) -> pa.Table:
        raise NotImplementedError

    def close(self) -> None:
        return None


class DuckDBEngine(Engine):
    name = "duckdb"

    def __init__(self, threads: int | None = None, memory_limit: str | None = None) -> None:
        from splink import DuckDBAPI

        # Bounded memory, spilling to a private scratch folder: Splink's blocked pairs and
        # predictions at a million records would otherwise take as much RAM as DuckDB's
        # default (80% of the machine) allows, beside the hub's own connection.
        self._tmp = tempfile.mkdtemp(prefix="mdm-splink-")
        config: dict[str, Any] = {"threads": threads or os.cpu_count() or 1,
                                  "memory_limit": memory_limit or default_memory_limit(),
                                  "temp_directory": self._tmp}
        self.con = duckdb.connect(":memory:", config=config)
        super().__init__(DuckDBAPI(connection=self.con))

    def to_arrow(self, frame: Any, columns: list[str] | None = None) -> pa.Table:
        cols = ", ".join(f'"{c}"' for c in columns) if columns else "*"
        return self.con.sql(f"SELECT {cols} FROM {frame.physical_name}").to_arrow_table()

    def query_arrow(self, sql: str) -> pa.Table:
        """Run ``sql`` on Splink's own connection (tables by their physical names)."""
        return self.con.sql(sql).to_arrow_table()

    def close(self) -> None:
        self.con.close()
        shutil.rmtree(self._tmp, ignore_errors=True)


def default_memory_limit() -> str:
    """Half the run's DuckDB budget (see :mod:`mdm.memory`)."""
    return default_limit()


class SparkEngine(Engine):
    name = "spark"

    def __init__(self, master: str, app_name: str, config: dict[str, str], checkpoint_dir: str | None,
                 break_lineage: str | None = None) -> None:
        try:
            from pyspark.sql import SparkSession
            from splink import SparkAPI
            from splink.backends.spark import similarity_jar_location
        except ImportError as exc:
            raise EngineError("engine: spark needs pyspark; install it with `pip install 'mdm[spark]'` "
                              "or set engine: duckdb in the match rules") from exc
        builder = SparkSession.builder.master(master).appName(app_name)
        defaults = {"spark.sql.shuffle.partitions": "8", "spark.default.parallelism": "8",
                    "spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false",
                    "spark.sql.execution.arrow.pyspark.enabled": "true", "spark.driver.memory": "4g",
                    # Splink's string-similarity UDFs (jaro_winkler, ...) ship as a jar
                    "spark.jars": similarity_jar_location()}
        for key, value in {**defaults, **config}.items():
            builder = builder.config(key, value)
        self.spark = builder.getOrCreate()
        self.spark.sparkContext.setLogLevel("ERROR")
        self._tmp: str | None = None
        if not checkpoint_dir:  # Splink breaks lineage through checkpoints/parquet: give it a scratch folder
            self._tmp = checkpoint_dir = tempfile.mkdtemp(prefix="mdm-spark-")
        self.spark.sparkContext.setCheckpointDir(checkpoint_dir)
        super().__init__(SparkAPI(spark_session=self.spark,  # type: ignore[no-untyped-call]
                                  break_lineage_method=break_lineage))

    def to_arrow(self, frame: Any, columns: list[str] | None = None) -> pa.Table:
        df = frame.as_spark_dataframe()
        if columns:
            df = df.select(*columns)
        if hasattr(df, "toArrow"):  # Spark >= 4
            return df.toArrow()
        return pa.Table.from_pandas(df.toPandas(), preserve_index=False)

    def close(self) -> None:
        # the session may be shared (getOrCreate), so it stays up; Splink's tables go
        self.db_api.delete_tables_created_by_splink_from_db()
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)


def open_engine(rules: MatchRules) -> Engine:
    if rules.engine == "spark":
        s = rules.spark
        return SparkEngine(s.master, s.app_name, dict(s.config), s.checkpoint_dir, s.break_lineage)
    return DuckDBEngine(rules.duckdb.threads, rules.duckdb.memory_limit)


@contextmanager
def engine_for(rules: MatchRules) -> Iterator[Engine]:
    engine = open_engine(rules)
    try:
        yield engine
    finally:
        engine.close()
