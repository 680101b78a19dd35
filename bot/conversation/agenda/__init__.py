"""The programme: model, loader (validation), live copy, time words, clock, query, answer, render.

Details: docs/agenda.md.
"""
