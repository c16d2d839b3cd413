"""The stewards' web UI: server-rendered Jinja2 pages, local CSS, no JavaScript build, no CDN."""
