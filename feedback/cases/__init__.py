"""Consultations, complaints, suggestions, help requests and reports (12345-style cases)."""
