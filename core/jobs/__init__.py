"""Jobs: the transactional outbox and what delivers it.

``outbox.enqueue`` writes a message in the caller's transaction; the ``dispatcher`` hands due
rows to a backend (``inprocess`` in the embedded mode, ``dramatiq_backend`` over Redis in
production); ``executor.execute_message`` runs a handler (from ``handlers``) in the message's
tenant and commits its effect with ``status = done``; ``admin`` lists and retries failed
messages; ``runtime.JobRuntime`` is what the web lifespan starts; ``worker.run_worker`` is
``congvan worker``. Plugins use ``core.enqueue`` and ``core.JobHandler`` only. See docs/jobs.md.
"""
