from tortoise import migrations
from core import EnableRLS
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('registry', '0003_assignments')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DocumentParticipant',
            fields=[
                ('tenant_id', fields.IntField(db_index=True)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('document', fields.ForeignKeyField('registry.Document', source_field='document_id', db_constraint=True, to_field='id', related_name='participants', on_delete=OnDelete.CASCADE)),
                ('user_id', fields.IntField(null=True, db_index=True)),
                ('unit_id', fields.IntField(null=True, db_index=True)),
                ('key', fields.CharField(max_length=24)),
                ('role', fields.CharField(max_length=12)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'registry_document_participant', 'app': 'registry', 'unique_together': (('tenant_id', 'document_id', 'key', 'role'),), 'pk_attr': 'id', 'table_description': 'user_id or unit_id (exactly one) takes part in document as role.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Presentation',
            fields=[
                ('tenant_id', fields.IntField(db_index=True)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('document', fields.ForeignKeyField('registry.Document', source_field='document_id', db_constraint=True, to_field='id', related_name='presentations', on_delete=OnDelete.CASCADE)),
                ('leader_user_id', fields.IntField(db_index=True)),
                ('presented_by', fields.IntField(null=True)),
                ('presented_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('note', fields.TextField(default='', unique=False)),
                ('status', fields.CharField(default='open', max_length=10)),
                ('handled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'registry_presentation', 'app': 'registry', 'indexes': [Index(fields=['tenant_id', 'leader_user_id', 'status'])], 'pk_attr': 'id', 'table_description': 'An incoming document presented to leader_user_id by presented_by.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='TimelineEntry',
            fields=[
                ('tenant_id', fields.IntField(db_index=True)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('document', fields.ForeignKeyField('registry.Document', source_field='document_id', db_constraint=True, to_field='id', related_name='timeline', on_delete=OnDelete.CASCADE)),
                ('step', fields.CharField(max_length=32)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor_ref', fields.CharField(default='', max_length=100)),
                ('actor_name', fields.CharField(default='', max_length=200)),
                ('actor_user_id', fields.IntField(null=True)),
                ('summary', fields.TextField(default='', unique=False)),
                ('detail', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'registry_timeline', 'app': 'registry', 'indexes': [Index(fields=['tenant_id', 'document_id', 'at', 'id'])], 'pk_attr': 'id', 'table_description': 'One step of a documents life, in order (id breaks ties of equal at).'},
            bases=['TenantModel'],
        ),
        EnableRLS('registry_document_participant', 'registry_presentation', 'registry_timeline'),
    ]
