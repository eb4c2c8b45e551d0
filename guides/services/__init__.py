"""The catalogue's use cases (see catalogue.py, publishing.py, loading.py)."""

from .catalogue import (SyncChanges, catalogue_version, changes_since, get_department, get_item_revision,
                        get_published_item, get_theme, list_departments, list_item_versions, list_life_events,
                        list_published_items, list_themes, merged_form, merged_materials, require_published_item,
                        require_theme, theme_promised_days)
from .loading import load_sample_catalogue, read_sample_data
from .publishing import admin_get_version, admin_list_versions, create_draft, create_draft_from_published, publish, retire, update_draft

__all__ = [
    "SyncChanges", "catalogue_version", "changes_since", "get_department", "get_item_revision",
    "get_published_item", "get_theme", "list_departments", "list_item_versions", "list_life_events",
    "list_published_items", "list_themes", "merged_form", "merged_materials", "require_published_item",
    "require_theme", "theme_promised_days", "load_sample_catalogue", "read_sample_data", "create_draft",
    "create_draft_from_published", "publish", "retire", "update_draft", "admin_get_version", "admin_list_versions",
]
