"""Use cases. Each takes a unit of work, calls engine and domain, and commits once."""
