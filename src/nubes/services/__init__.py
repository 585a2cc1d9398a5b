"""One package per AWS service: provider.py, models.py, store.py, exceptions.py."""
