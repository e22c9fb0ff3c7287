from tortoise import migrations

from core import RunPostgresSQL

FORBID = """
CREATE OR REPLACE FUNCTION congvan_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only (% refused on %)', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        RunPostgresSQL(
            [
                FORBID,
                "DROP TRIGGER IF EXISTS core_audit_event_append_only ON core_audit_event",
                "CREATE TRIGGER core_audit_event_append_only BEFORE UPDATE OR DELETE "
                "ON core_audit_event FOR EACH ROW EXECUTE FUNCTION congvan_audit_append_only()",
            ],
            [
                "DROP TRIGGER IF EXISTS core_audit_event_append_only ON core_audit_event",
                "DROP FUNCTION IF EXISTS congvan_audit_append_only()",
            ],
        ),
    ]
