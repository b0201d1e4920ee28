"""The access matrix: every endpoint × every role × own/other municipality (tests/e2e/test_access_matrix.py)."""
