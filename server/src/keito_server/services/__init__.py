"""Use cases, one module per feature. They own the transaction, call domain rules and use the
database models; they never see HTTP. api/ and web/ call these and only these."""
