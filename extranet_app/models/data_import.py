"""The agency's import settings: the columns it last matched to each kind's fields."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from extranet_app.models.base import created_at_field


class ImportMapping(SQLModel, table=True):
    """The last column mapping used for one kind of import, shared by the whole agency."""

    __tablename__ = "import_mapping"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30, unique=True)  # services/data_kinds.DataKind
    columns_json: str = Field(default="{}", max_length=8000)  # JSON: field name -> file header
    updated_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = created_at_field()
