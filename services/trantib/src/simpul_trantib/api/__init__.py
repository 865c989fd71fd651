"""Thin routes: authorise → ops → commit → shape."""
