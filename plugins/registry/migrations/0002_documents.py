from tortoise import migrations
from core import EnableRLS
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('registry', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Document',
            fields=[
                ('tenant_id', fields.IntField(db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('registry', fields.ForeignKeyField('registry.Registry', source_field='registry_id', db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.RESTRICT)),
                ('direction', fields.CharField(max_length=10)),
                ('status', fields.CharField(max_length=20)),
                ('source', fields.CharField(max_length=20)),
                ('code_number', fields.CharField(max_length=11)),
                ('code_notation', fields.CharField(max_length=30)),
                ('document_type', fields.ForeignKeyField('registry.DocumentType', source_field='document_type_id', db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.RESTRICT)),
                ('type_name', fields.CharField(max_length=100)),
                ('subject', fields.CharField(max_length=500)),
                ('issued_date', fields.DateField()),
                ('organ_name', fields.CharField(max_length=200)),
                ('organ_id', fields.CharField(default='', max_length=35)),
                ('signer_position', fields.CharField(default='', max_length=100)),
                ('signer_full_name', fields.CharField(max_length=50)),
                ('priority', fields.ForeignKeyField('registry.UrgencyLevel', source_field='priority_id', db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.RESTRICT)),
                ('priority_weight', fields.IntField(default=0)),
                ('confidentiality', fields.ForeignKeyField('registry.ConfidentialityLevel', source_field='confidentiality_id', db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.RESTRICT)),
                ('confidentiality_level', fields.IntField(default=0)),
                ('page_amount', fields.IntField()),
                ('description', fields.CharField(default='', max_length=500)),
                ('due_date', fields.DateField(null=True)),
                ('document_identifier', fields.CharField(null=True, max_length=100)),
                ('registry_number', fields.ForeignKeyField('registry.RegistryNumber', source_field='registry_number_id', null=True, db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.RESTRICT)),
                ('arrival_number', fields.IntField(null=True)),
                ('arrival_date', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('refusal_reason', fields.TextField(default='', unique=False)),
                ('identity_key', fields.CharField(db_index=True, max_length=64)),
                ('dedupe_key', fields.CharField(null=True, max_length=64)),
                ('identifier_key', fields.CharField(null=True, max_length=100)),
                ('duplicate_confirmed', fields.BooleanField(default=False)),
                ('duplicate_of_id', fields.IntField(null=True)),
                ('registered_by', fields.IntField(null=True)),
                ('registered_unit_id', fields.IntField(db_index=True)),
                ('created_by', fields.CharField(default='', max_length=100)),
                ('search_text', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'registry_document', 'app': 'registry', 'unique_together': (('tenant_id', 'dedupe_key'), ('tenant_id', 'identifier_key'), ('tenant_id', 'registry_number')), 'indexes': [Index(fields=['tenant_id', 'priority_weight', 'received_at', 'id']), Index(fields=['tenant_id', 'document_identifier'])], 'pk_attr': 'id', 'table_description': 'A document entered in a registry (ND30 metadata names, snake_case).'},
            bases=['TenantModel', 'TimestampMixin'],
        ),
        ops.CreateModel(
            name='DocumentFile',
            fields=[
                ('tenant_id', fields.IntField(db_index=True)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('document', fields.ForeignKeyField('registry.Document', source_field='document_id', db_constraint=True, to_field='id', related_name='files', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharField(max_length=12)),
                ('position', fields.IntField(default=0)),
                ('filename', fields.CharField(max_length=255)),
                ('content_type', fields.CharField(max_length=100)),
                ('size', fields.BigIntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('pdf_state', fields.CharField(default='n/a', max_length=10)),
                ('pages', fields.IntField(null=True)),
                ('text_status', fields.CharField(default='pending', max_length=10)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'registry_document_file', 'app': 'registry', 'indexes': [Index(fields=['tenant_id', 'document_id', 'position'])], 'pk_attr': 'id', 'table_description': 'A file of a document: the bytes are a blob of core.blob_store() named sha256.'},
            bases=['TenantModel'],
        ),
        EnableRLS('registry_document', 'registry_document_file'),
    ]
