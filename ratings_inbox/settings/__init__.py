"""Settings: base.py reads the environment; test.py adjusts it for the test suite."""
