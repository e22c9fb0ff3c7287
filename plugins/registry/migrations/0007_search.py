from tortoise import migrations
from core import EnableRLS
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_records")]

    initial = False

    operations = [
        ops.CreateModel(
            name="DocumentText",
            fields=[
                ("tenant_id", fields.IntField(db_index=True)),
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "document",
                    fields.ForeignKeyField(
                        "registry.Document",
                        source_field="document_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="texts",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "file",
                    fields.ForeignKeyField(
                        "registry.DocumentFile",
                        source_field="file_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="texts",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("status", fields.CharField(max_length=10)),
                ("reason", fields.CharField(default="", max_length=500)),
                ("ocr", fields.BooleanField(default=False)),
                ("truncated", fields.BooleanField(default=False)),
                ("text", fields.TextField(default="", unique=False)),
                ("folded", fields.TextField(default="", unique=False)),
                ("extracted_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "registry_document_text",
                "app": "registry",
                "unique_together": (("tenant_id", "file"),),
                "indexes": [Index(fields=["tenant_id", "document_id"])],
                "pk_attr": "id",
                "table_description": "The extracted text of one file of a document (see the module docstring).",
            },
            bases=["TenantModel"],
        ),
        ops.CreateModel(
            name="SavedSearch",
            fields=[
                ("tenant_id", fields.IntField(db_index=True)),
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("owner_id", fields.IntField()),
                ("name", fields.CharField(max_length=100)),
                (
                    "params",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "registry_saved_search",
                "app": "registry",
                "unique_together": (("tenant_id", "owner_id", "name"),),
                "pk_attr": "id",
                "table_description": "A named search of one user: params is the query and filters as JSON.",
            },
            bases=["TenantModel"],
        ),
        EnableRLS("registry_document_text", "registry_saved_search"),
    ]
