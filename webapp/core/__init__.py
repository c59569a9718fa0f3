"""What every stage and face shares: the extensions, configuration, database helpers, audit trail, media storage,
refusals and their one error handler, the clock, tokens, QR images and the page-wide template helpers."""
