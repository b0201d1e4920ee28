"""Plain domain model and rules. Imports nothing from Flask, SQLAlchemy or SpiffWorkflow."""
