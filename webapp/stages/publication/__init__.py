"""Publication (一公开): publishing and withdrawing results, public queries, follow-up tasks, inspectors' credentials."""
