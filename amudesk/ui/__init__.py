"""The PySide6 window layer: it calls the services and never builds SQL."""
