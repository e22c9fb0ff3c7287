"""The append-only, hash-chained audit trail of each tenant (``record_audit``, ``verify_chain``)."""
