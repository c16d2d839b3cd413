"""Publishing golden records back to CRM and ERP systems: import files (``files``); the
change feed and webhooks are served by the stewardship server."""

from __future__ import annotations

from mdm.publish.files import PublishResult, publish_files

__all__ = ["PublishResult", "publish_files"]
