from tortoise import migrations
from core import EnableRLS
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('registry', '0005_outgoing')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Record',
            fields=[
                ('tenant_id', fields.IntField(db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('unit_id', fields.IntField(db_index=True)),
                ('year', fields.IntField()),
                ('number', fields.IntField()),
                ('code', fields.CharField(max_length=20)),
                ('title', fields.CharField(max_length=500)),
                ('retention', fields.ForeignKeyField('registry.RetentionPeriod', source_field='retention_id', db_constraint=True, to_field='id', related_name='records', on_delete=OnDelete.RESTRICT)),
                ('creator_id', fields.IntField(null=True)),
                ('handler_unit_id', fields.IntField()),
                ('status', fields.CharField(default='open', max_length=10)),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('description', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'registry_record', 'app': 'registry', 'unique_together': (('tenant_id', 'unit_id', 'year', 'number'),), 'indexes': [Index(fields=['tenant_id', 'creator_id'])], 'pk_attr': 'id', 'table_description': 'A record (hồ sơ) of the records list of unit_id for year.'},
            bases=['TenantModel', 'TimestampMixin'],
        ),
        ops.CreateModel(
            name='RecordItem',
            fields=[
                ('tenant_id', fields.IntField(db_index=True)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('record', fields.ForeignKeyField('registry.Record', source_field='record_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('document', fields.ForeignKeyField('registry.Document', source_field='document_id', db_constraint=True, to_field='id', related_name='record_items', on_delete=OnDelete.RESTRICT)),
                ('position', fields.IntField()),
                ('added_by', fields.IntField(null=True)),
                ('added_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'registry_record_item', 'app': 'registry', 'unique_together': (('tenant_id', 'record', 'document'),), 'indexes': [Index(fields=['tenant_id', 'record_id', 'position']), Index(fields=['tenant_id', 'document_id'])], 'pk_attr': 'id', 'table_description': 'document filed in record at position, by the user added_by.'},
            bases=['TenantModel'],
        ),
        EnableRLS('registry_record', 'registry_record_item'),
    ]
