"""Entities layer: NER mentions with offsets, in-article linking, cross-article resolution."""
