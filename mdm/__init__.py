"""mdm: customer master-data management and data quality."""

import warnings

__version__ = "0.1.0"

# pandera imports pyspark.pandas whenever pyspark is installed (the Spark engine extra),
# and pyspark then warns about pandas 3 on every command. mdm uses Spark only through
# Splink's SparkAPI with Spark DataFrames, never pyspark.pandas.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
