"""The timer process: it only calls services."""
