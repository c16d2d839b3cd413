"""Stewardship: the HTTP API and web UI that data stewards and integrations use.

``mdm serve`` builds the app with :func:`mdm.stewardship.app.create_app`. The server owns
the hub: one DuckDB connection, a cursor per request, one writer at a time (see
:mod:`mdm.stewardship.hubaccess`), and pipeline runs start inside it
(:mod:`mdm.stewardship.runs`) so no second process ever writes the hub.
"""
