"""Pure domain logic of the regime: no Flask, no database. Reused by views, the CLI, benchmarks and verifiers."""
