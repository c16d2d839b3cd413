"""Bundled demo: a seeded generator of multi-source customer data with known truth.

See :mod:`mdm.demo.generator` (``python -m mdm.demo.generator OUT_DIR --records N --seed S``).
"""
