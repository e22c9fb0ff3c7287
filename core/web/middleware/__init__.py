"""Pure ASGI middleware of the web app, one per module (``BaseHTTPMiddleware`` breaks context
variables). Order, outermost first: metrics → body limit → probes/tenant → errors → auth."""
