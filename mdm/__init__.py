"""mdm: customer master-data management and data quality."""

__version__ = "0.1.0"
