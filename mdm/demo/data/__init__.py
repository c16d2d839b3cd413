"""Bundled reference lists for the demo data generator (names, places, businesses).

Plain Python data so they ship with the package whatever the packaging config says.
Lists are ordered roughly by frequency: the generator draws with Zipf-like weights,
so earlier entries are more common (as "Smith" or "James" are in real life).
"""
