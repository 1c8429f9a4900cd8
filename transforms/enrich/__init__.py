"""Enrich stage: entity mentions (NER), near-duplicate signatures and wire-agency credits."""
