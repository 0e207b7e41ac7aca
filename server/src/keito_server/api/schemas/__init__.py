"""Request schemas, named for their direction (``TimeEntryCreate``, ``TimeEntryUpdate``)."""
