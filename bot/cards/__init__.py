"""Rendering answers as Adaptive Cards with a plain-text fallback, and the payloads cards send
back.
"""
