"""trajectflow: a workflow engine for Participatiewet trajectories."""

__version__ = "0.1.0"
