"""Warehouse stage: build the SQL models into a DuckDB file, test them, publish the marts."""
