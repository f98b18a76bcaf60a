"""Outputs for people: Excel score tables, public notice, enterprise diagnosis, year report,
and the read-only copy of the warehouse for analysts. All read the warehouse; none recomputes."""
