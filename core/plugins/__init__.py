"""Plugin loading, the per-tenant hook relay, and the values plugins return."""

from core.plugins.manager import PluginError, PluginHost, build_host, get_host, set_host

__all__ = ["PluginError", "PluginHost", "build_host", "get_host", "set_host"]
