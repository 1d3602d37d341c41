"""Test support: the real infrastructure for a test session, and the system under test per test."""
