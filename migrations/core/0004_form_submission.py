from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0003_change_notice')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FormSubmission',
            fields=[
                ('nonce', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'core_form_submission', 'app': 'core', 'pk_attr': 'nonce', 'table_description': 'A form nonce that was used: a second submission of the same form is recognised.'},
            bases=['PlatformModel'],
        ),
    ]
