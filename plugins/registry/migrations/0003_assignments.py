from tortoise import migrations
from core import EnableRLS
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('registry', '0002_documents')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Assignment',
            fields=[
                ('tenant_id', fields.IntField(db_index=True)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('document', fields.ForeignKeyField('registry.Document', source_field='document_id', db_constraint=True, to_field='id', related_name='assignments', on_delete=OnDelete.CASCADE)),
                ('parent', fields.ForeignKeyField('registry.Assignment', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharField(max_length=12)),
                ('status', fields.CharField(default='open', max_length=10)),
                ('assignee_user_id', fields.IntField(null=True, db_index=True)),
                ('assignee_unit_id', fields.IntField(null=True, db_index=True)),
                ('scope_unit_id', fields.IntField()),
                ('deadline', fields.DateField(null=True)),
                ('direction', fields.TextField(default='', unique=False)),
                ('assigned_by', fields.IntField(null=True, db_index=True)),
                ('assigned_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reply_document_id', fields.IntField(null=True)),
            ],
            options={'table': 'registry_assignment', 'app': 'registry', 'indexes': [Index(fields=['tenant_id', 'document_id', 'status'])], 'pk_attr': 'id', 'table_description': 'One assignee of a document: assignee_user_id or assignee_unit_id (exactly one).'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='AssignmentOpinion',
            fields=[
                ('tenant_id', fields.IntField(db_index=True)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('assignment', fields.ForeignKeyField('registry.Assignment', source_field='assignment_id', db_constraint=True, to_field='id', related_name='opinions', on_delete=OnDelete.CASCADE)),
                ('author_id', fields.IntField(null=True)),
                ('text', fields.TextField(unique=False)),
                ('filename', fields.CharField(default='', max_length=255)),
                ('content_type', fields.CharField(default='', max_length=100)),
                ('size', fields.BigIntField(null=True)),
                ('sha256', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'registry_assignment_opinion', 'app': 'registry', 'indexes': [Index(fields=['tenant_id', 'assignment_id'])], 'pk_attr': 'id', 'table_description': 'An assignees opinion on its assignment, with an optional file (a blob).'},
            bases=['TenantModel'],
        ),
        EnableRLS('registry_assignment', 'registry_assignment_opinion'),
    ]
