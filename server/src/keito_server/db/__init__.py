"""Tables, engine and session factory, migrations. Only services/ (and tests) import this."""
