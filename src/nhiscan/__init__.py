"""nhiscan: inventory the non-human identities of an organisation and flag the risky ones."""

__version__ = "0.1.0"
