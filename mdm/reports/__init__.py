"""Self-contained HTML reports (profile, run, decay) with inline-SVG charts.

``html`` holds the shared Jinja2 environment, ``render`` and the atomic ``write_report``;
``charts`` computes chart geometry for the macros in ``templates/charts.html.j2``;
one module per report (``profile``, ...) turns documents into template context.
"""
