from tortoise import migrations
from core import EnableRLS
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('registry', '0004_flow')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DraftComment',
            fields=[
                ('tenant_id', fields.IntField(db_index=True)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('document', fields.ForeignKeyField('registry.Document', source_field='document_id', db_constraint=True, to_field='id', related_name='draft_comments', on_delete=OnDelete.CASCADE)),
                ('author_id', fields.IntField(null=True)),
                ('text', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'registry_draft_comment', 'app': 'registry', 'indexes': [Index(fields=['tenant_id', 'document_id'])], 'pk_attr': 'id', 'table_description': 'A comment on a draft (reviewers, the signer, the drafter).'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='OutgoingDetail',
            fields=[
                ('tenant_id', fields.IntField(db_index=True)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('document', fields.ForeignKeyField('registry.Document', source_field='document_id', db_constraint=True, to_field='id', related_name='outgoing', on_delete=OnDelete.CASCADE)),
                ('drafter_user_id', fields.IntField(null=True, db_index=True)),
                ('drafter_unit_id', fields.IntField(null=True)),
                ('review_mode', fields.CharField(default='sequence', max_length=10)),
                ('review_round', fields.IntField(default=0)),
                ('signer_user_id', fields.IntField(null=True, db_index=True)),
                ('signing_form', fields.CharField(default='', max_length=6)),
                ('recipients_text', fields.TextField(default='', unique=False)),
                ('copies', fields.IntField(default=1)),
                ('keeping_unit_id', fields.IntField(null=True)),
                ('reply_to_document_id', fields.IntField(null=True)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('approved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('approved_by', fields.IntField(null=True)),
                ('returned_reason', fields.TextField(default='', unique=False)),
                ('signed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('signed_by', fields.CharField(default='', max_length=100)),
                ('signature_provider', fields.CharField(default='', max_length=50)),
                ('issued_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('issued_by', fields.IntField(null=True)),
                ('recalled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('recalled_by', fields.IntField(null=True)),
                ('recall_reason', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'registry_outgoing', 'app': 'registry', 'unique_together': (('tenant_id', 'document_id'),), 'pk_attr': 'id', 'table_description': 'The outgoinginternal part of a document (one per document).'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Recipient',
            fields=[
                ('tenant_id', fields.IntField(db_index=True)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('document', fields.ForeignKeyField('registry.Document', source_field='document_id', db_constraint=True, to_field='id', related_name='recipients', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=10)),
                ('unit_id', fields.IntField(null=True)),
                ('organ_id', fields.CharField(default='', max_length=35)),
                ('organ_name', fields.CharField(default='', max_length=200)),
                ('status', fields.CharField(default='to_be_sent', max_length=20)),
                ('copy_document', fields.ForeignKeyField('registry.Document', source_field='copy_document_id', null=True, db_constraint=True, to_field='id', related_name='copy_of', on_delete=OnDelete.SET_NULL)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('status_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'registry_recipient', 'app': 'registry', 'indexes': [Index(fields=['tenant_id', 'document_id']), Index(fields=['tenant_id', 'copy_document_id'])], 'pk_attr': 'id', 'table_description': 'Where an issued document goes (see the module docstring).'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Review',
            fields=[
                ('tenant_id', fields.IntField(db_index=True)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('document', fields.ForeignKeyField('registry.Document', source_field='document_id', db_constraint=True, to_field='id', related_name='reviews', on_delete=OnDelete.CASCADE)),
                ('round', fields.IntField(default=1)),
                ('position', fields.IntField(default=0)),
                ('reviewer_user_id', fields.IntField(db_index=True)),
                ('status', fields.CharField(default='pending', max_length=20)),
                ('comment', fields.TextField(default='', unique=False)),
                ('requested_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'registry_review', 'app': 'registry', 'indexes': [Index(fields=['tenant_id', 'document_id', 'round', 'position'])], 'pk_attr': 'id', 'table_description': 'One reviewer of a draft in one review round.'},
            bases=['TenantModel'],
        ),
        EnableRLS('registry_draft_comment', 'registry_outgoing', 'registry_recipient', 'registry_review'),
    ]
