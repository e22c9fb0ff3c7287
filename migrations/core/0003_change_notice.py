from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0002_audit_append_only')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ChangeNotice',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('channel', fields.CharField(max_length=41)),
                ('payload', fields.CharField(max_length=255)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'core_change_notice', 'app': 'core', 'pk_attr': 'id', 'table_description': 'A change notification, kept briefly so other processes polling the database see it.'},
            bases=['PlatformModel'],
        ),
    ]
