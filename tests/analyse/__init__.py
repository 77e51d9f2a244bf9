"""Tests for the analyse stage (AWS policy evaluator, trust-policy analyser)."""
