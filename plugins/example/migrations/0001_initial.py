from tortoise import migrations
from core import EnableRLS
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Note',
            fields=[
                ('tenant_id', fields.IntField(db_index=True)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=200)),
                ('body', fields.TextField(default='', unique=False)),
                ('created_by', fields.CharField(default='', max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'example_note', 'app': 'example', 'unique_together': (('tenant_id', 'title'),), 'pk_attr': 'id', 'table_description': 'A short note, the one tenant-scoped table of the example plugin.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='NoteStat',
            fields=[
                ('tenant_id', fields.IntField(db_index=True)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('message_id', fields.CharField(max_length=36)),
                ('note_id', fields.IntField()),
            ],
            options={'table': 'example_note_stat', 'app': 'example', 'unique_together': (('tenant_id', 'message_id'),), 'pk_attr': 'id', 'table_description': 'Counts processed jobs proves jobs run once per message in the context of the tenant.'},
            bases=['TenantModel'],
        ),
        EnableRLS('example_note', 'example_note_stat'),
    ]
