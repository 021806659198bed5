"""The domain: values, aggregates and the pure programme rules (standard library and eventsourcing.domain only)."""
