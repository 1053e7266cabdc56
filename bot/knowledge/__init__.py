"""The knowledge: its model, loading and validation, the served version, hot reload and writes."""
