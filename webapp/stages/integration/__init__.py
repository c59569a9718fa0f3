"""Open to the systems around it: API tokens that an office issues per integration, and webhook subscriptions with
their signed deliveries. After publication in the regime's order, since it reads every earlier stage."""
